/**
 * The dashboard's precision table: a finished run of this session (or the loaded model with the configuration's
 * method) evaluated on the validation pairs at every precision (engine/quant/precision_table.ts), on a GPU
 * device of its own, destroyed at the end.
 */
import { acquireDevice } from '../../engine/gpu/device';
import { Runtime } from '../../engine/gpu/runtime';
import { precisionTable, type PrecisionRow } from '../../engine/quant/precision_table';
import { trainerConfig } from '../../engine/train/run_config';
import type { LoadedAdapter } from './adapter_import';
import type { LoadedModel } from './model_files';
import type { WorkerRequest } from './protocol';
import { prepareRunData, RunDataError, type ShardEntry } from './shards';
import { sourceWeights, type SourceWeights } from './source_weights';

type PrecisionRequest = Extract<WorkerRequest, { type: 'precision-table' }>;

export interface PrecisionContext {
  readonly gpu: GPU | undefined;
  readonly model: LoadedModel | null;
  readonly shards: ReadonlyMap<string, ShardEntry>;
  readonly adapter: LoadedAdapter | null;
  readonly runWeights: (runId: string) => SourceWeights | null;
}

export async function precisionRows(request: PrecisionRequest, ctx: PrecisionContext): Promise<{ rows: PrecisionRow[]; n: number }> {
  const { model, plan, values, recipe } = sourceWeights(request.source, request, ctx, 'compare precisions');
  const valid = prepareRunData(request.data, ctx.shards, model.tokenizer, recipe).valid;
  if (!valid) throw new RunDataError('The precision table ranks the validation pairs: drop a validation shard or hold out a fraction of the training shard.');
  const rt = new Runtime(await acquireDevice(ctx.gpu));
  try {
    return { rows: await precisionTable(rt, plan, values, trainerConfig(recipe, plan.peft), valid), n: valid.n };
  } finally {
    rt.destroy();
  }
}
