/**
 * The dashboard's precision table: a finished run of this session (or the loaded model with the configuration's
 * method) evaluated on the validation pairs at every precision (engine/quant/precision_table.ts), on a GPU
 * device of its own, destroyed at the end.
 */
import { acquireDevice } from '../../engine/gpu/device';
import { Runtime } from '../../engine/gpu/runtime';
import { planPeft, type PeftPlan } from '../../engine/peft/plan';
import { precisionTable, type PrecisionRow } from '../../engine/quant/precision_table';
import { parseRunConfig, trainerConfig, type RecipeSettings } from '../../engine/train/run_config';
import { adapterFor, weightsToStart, type LoadedAdapter } from './adapter_import';
import { ModelFilesError, type LoadedModel } from './model_files';
import type { WorkerRequest } from './protocol';
import { prepareRunData, RunDataError, type ShardEntry } from './shards';

type PrecisionRequest = Extract<WorkerRequest, { type: 'precision-table' }>;

export interface PrecisionContext {
  readonly gpu: GPU | undefined;
  readonly model: LoadedModel | null;
  readonly shards: ReadonlyMap<string, ShardEntry>;
  readonly adapter: LoadedAdapter | null;
  readonly runWeights: (runId: string) => { model: LoadedModel; plan: PeftPlan; values: Map<string, Float32Array>; recipe: RecipeSettings } | null;
}

function weightsOf(request: PrecisionRequest, ctx: PrecisionContext): { model: LoadedModel; plan: PeftPlan; values: Map<string, Float32Array>; recipe: RecipeSettings } {
  if (request.source !== null) {
    const run = ctx.runWeights(request.source);
    if (!run) throw new RunDataError('The weights of that run are no longer in memory (only the last two runs of this session are kept): train it again.');
    if (run.plan.classes !== null) throw new RunDataError('That run is a classification run: the precision table ranks code search.');
    return run;
  }
  const model = ctx.model;
  if (!model) throw new ModelFilesError('No model is loaded: use the demo model or drop a model folder first.');
  const config = parseRunConfig(request.config, model.config);
  const plan = planPeft(model.config, config.peft);
  return { model, plan, values: weightsToStart(model, plan, config.recipe.seed, adapterFor(request.fromAdapter, ctx.adapter)), recipe: config.recipe };
}

export async function precisionRows(request: PrecisionRequest, ctx: PrecisionContext): Promise<{ rows: PrecisionRow[]; n: number }> {
  const { model, plan, values, recipe } = weightsOf(request, ctx);
  const valid = prepareRunData(request.data, ctx.shards, model.tokenizer, recipe).valid;
  if (!valid) throw new RunDataError('The precision table ranks the validation pairs: drop a validation shard or hold out a fraction of the training shard.');
  const rt = new Runtime(await acquireDevice(ctx.gpu));
  try {
    return { rows: await precisionTable(rt, plan, values, trainerConfig(recipe, plan.peft), valid), n: valid.n };
  } finally {
    rt.destroy();
  }
}
