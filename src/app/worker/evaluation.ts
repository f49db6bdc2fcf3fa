/**
 * Evaluate without training: the model (with the loaded adapter, or the configuration's fresh initialization)
 * on the run's validation pairs, as the trainer's evaluations and the CLI's `eval` do. It gets a GPU device of
 * its own, destroyed at the end, like a run.
 */
import { evaluateRetrieval, type RetrievalMetrics } from '../../engine/eval/retrieval';
import { acquireDevice } from '../../engine/gpu/device';
import { Runtime } from '../../engine/gpu/runtime';
import { parseRunConfig, trainerConfig } from '../../engine/train/run_config';
import { applyMatmulTuning } from '../../engine/tune/matmul_tune';
import { planPeft } from '../../engine/peft/plan';
import { buildModel } from '../../engine/train/build_model';
import { adapterFor, weightsToStart, type LoadedAdapter } from './adapter_import';
import { ModelFilesError, type LoadedModel } from './model_files';
import type { WorkerRequest } from './protocol';
import { prepareRunData, RunDataError, type ShardEntry } from './shards';

type EvaluateRequest = Extract<WorkerRequest, { type: 'evaluate' }>;

export interface EvaluateContext {
  readonly gpu: GPU | undefined;
  readonly model: LoadedModel | null;
  readonly shards: ReadonlyMap<string, ShardEntry>;
  readonly adapter: LoadedAdapter | null;
}

export async function evaluateOnly(request: EvaluateRequest, ctx: EvaluateContext): Promise<RetrievalMetrics> {
  const model = ctx.model;
  if (!model) throw new ModelFilesError('No model is loaded: use the demo model or drop a model folder first.');
  const config = parseRunConfig(request.config, model.config);
  const data = prepareRunData(request.data, ctx.shards, model.tokenizer, config.recipe);
  if (!data.valid) throw new RunDataError('There are no validation pairs to evaluate on: drop a validation shard or hold out a fraction of the training shard.');
  const plan = planPeft(model.config, config.peft);
  const initial = weightsToStart(model, plan, config.recipe.seed, adapterFor(request.fromAdapter, ctx.adapter));
  const rt = new Runtime(await acquireDevice(ctx.gpu));
  applyMatmulTuning(rt, request.matmulTuning);
  try {
    const tm = buildModel(rt, plan, trainerConfig(config.recipe, config.peft), 'evaluate');
    tm.weights.load(initial);
    const { metrics } = await evaluateRetrieval(rt, tm, data.valid, config.recipe.evalBatchSize);
    return metrics;
  } finally {
    rt.destroy();
  }
}
