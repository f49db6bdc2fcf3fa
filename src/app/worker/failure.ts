/** Any error a run can end with, as a RunFailure: what happened, in plain words, and what to do next. */
import { ConfigError } from '../../engine/peft/fields';
import { DataError } from '../../engine/data';
import { GPU_ERROR_ADVICE, GpuError } from '../../engine/gpu/errors';
import { CheckpointError } from '../../engine/io/checkpoint';
import { TrainingDiverged } from '../../engine/train/trainer';
import type { RunFailure } from '../lib/run_types';
import { ModelFilesError } from './model_files';
import { RunDataError } from './shards';

export function toFailure(error: unknown): RunFailure {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof GpuError) {
    const kind = error.kind === 'out-of-memory' || error.kind === 'device-lost' ? error.kind : 'internal';
    return { kind, message, advice: GPU_ERROR_ADVICE[error.kind] };
  }
  if (error instanceof TrainingDiverged) {
    return { kind: 'diverged', message, advice: 'The curves up to the failure are kept. Start again with a lower learning rate or a warmup.' };
  }
  if (error instanceof DataError || error instanceof RunDataError) {
    return { kind: 'data', message, advice: 'Check the dataset file (JSON Lines with code and docstring fields), or drop another one.' };
  }
  if (error instanceof ConfigError) return { kind: 'config', message, advice: 'Fix the settings listed above and start again.' };
  if (error instanceof CheckpointError || error instanceof ModelFilesError) {
    return { kind: 'model', message, advice: 'Check that the files come from one RoBERTa/CodeBERT model folder, or use the demo model.' };
  }
  return { kind: 'internal', message, advice: 'This looks like a bug in the lab: reload the page, and report it with the message above if it repeats.' };
}
