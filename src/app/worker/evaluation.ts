/**
 * Evaluate without training: the model (with the loaded adapter, or the configuration's fresh initialization)
 * on the run's validation pairs, as the trainer's evaluations and the CLI's `eval` do. It gets a GPU device of
 * its own, destroyed at the end, like a run.
 */
import { evaluateClassification } from '../../engine/eval/classification_eval';
import { evaluateRetrieval } from '../../engine/eval/retrieval';
import { classificationScores } from '../../engine/train/events';
import type { TrainableModel } from '../../engine/train/trainable_model';
import { acquireDevice } from '../../engine/gpu/device';
import { Runtime } from '../../engine/gpu/runtime';
import { parseRunConfig, trainerConfig, type RunConfig } from '../../engine/train/run_config';
import { applyMatmulTuning } from '../../engine/tune/matmul_tune';
import { planPeft, type PeftPlan } from '../../engine/peft/plan';
import { buildModel } from '../../engine/train/build_model';
import { adapterFor, weightsToStart, type LoadedAdapter } from './adapter_import';
import { ModelFilesError, type LoadedModel } from './model_files';
import { prepareLabelledData } from './labelled_data';
import type { EvaluationResult, WorkerRequest } from './protocol';
import { prepareRunData, RunDataError, type ShardEntry } from './shards';

type EvaluateRequest = Extract<WorkerRequest, { type: 'evaluate' }>;

export interface EvaluateContext {
  readonly gpu: GPU | undefined;
  readonly model: LoadedModel | null;
  readonly shards: ReadonlyMap<string, ShardEntry>;
  readonly adapter: LoadedAdapter | null;
}

const NO_VALIDATION = 'There is nothing to evaluate on: drop a validation shard or hold out a fraction of the training shard.';

/**
 * Code search ranks the validation pairs; a classification task classifies the validation records with the
 * adapter's head (or a fresh one: the chance level, as the untrained configuration would start).
 */
export async function evaluateOnly(request: EvaluateRequest, ctx: EvaluateContext): Promise<EvaluationResult> {
  const model = ctx.model;
  if (!model) throw new ModelFilesError('No model is loaded: use the demo model or drop a model folder first.');
  const config = parseRunConfig(request.config, model.config);
  const adapter = adapterFor(request.fromAdapter, ctx.adapter);
  if (config.task.kind === 'classification') {
    const data = await prepareLabelledData(request.data, ctx.shards, model.tokenizer, { ...config.recipe, batchSize: 1 }, config.task);
    if (!data.valid) throw new RunDataError(NO_VALIDATION);
    const valid = data.valid;
    const plan = planPeft(model.config, config.peft, data.classes.length);
    const scores = await onDevice(ctx, request, plan, weightsToStart(model, plan, config.recipe.seed, adapter), config, async (rt, tm) => classificationScores((await evaluateClassification(rt, tm, valid, config.recipe.evalBatchSize)).metrics));
    return { task: 'classification', scores, classes: data.classes };
  }
  const data = prepareRunData(request.data, ctx.shards, model.tokenizer, config.recipe);
  if (!data.valid) throw new RunDataError(NO_VALIDATION);
  const valid = data.valid;
  const plan = planPeft(model.config, config.peft);
  const metrics = await onDevice(ctx, request, plan, weightsToStart(model, plan, config.recipe.seed, adapter), config, async (rt, tm) => (await evaluateRetrieval(rt, tm, valid, config.recipe.evalBatchSize)).metrics);
  return { task: 'code-search', metrics };
}

/** The evaluation model on a GPU device of its own, destroyed after `work`. */
async function onDevice<T>(ctx: EvaluateContext, request: EvaluateRequest, plan: PeftPlan, initial: Map<string, Float32Array>, config: RunConfig, work: (rt: Runtime, tm: TrainableModel) => Promise<T>): Promise<T> {
  const rt = new Runtime(await acquireDevice(ctx.gpu));
  applyMatmulTuning(rt, request.matmulTuning);
  try {
    const tm = buildModel(rt, plan, trainerConfig(config.recipe, config.peft), 'evaluate');
    tm.weights.load(initial);
    return await work(rt, tm);
  } finally {
    rt.destroy();
  }
}
