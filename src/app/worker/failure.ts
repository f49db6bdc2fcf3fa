/** Any error a run can end with, as a RunFailure: what happened, in plain words, and what to do next. */
import { ConfigError } from '../../engine/peft/fields';
import { DataError } from '../../engine/data';
import { GPU_ERROR_ADVICE, GpuError } from '../../engine/gpu/errors';
import { CheckpointError } from '../../engine/io/checkpoint';
import { TrainingDiverged, TrainingInterrupted } from '../../engine/train/trainer';
import type { RunFailure } from '../lib/run_types';
import { ModelFilesError } from './model_files';
import { ResumeRefused } from './run_checkpoint';
import { RunDataError } from './shards';

export function toFailure(error: unknown): RunFailure {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof GpuError) {
    const kind = error.kind === 'out-of-memory' || error.kind === 'device-lost' ? error.kind : 'internal';
    return { kind, message, advice: GPU_ERROR_ADVICE[error.kind] };
  }
  if (error instanceof TrainingInterrupted) {
    const kind = error.gpuError.kind === 'out-of-memory' || error.gpuError.kind === 'device-lost' ? error.gpuError.kind : 'internal';
    const next = error.checkpointStep === null ? 'No checkpoint was saved yet: start the run again.' : `Press Resume in the runs table: the run continues from its checkpoint at step ${error.checkpointStep} on a new GPU device.`;
    const oom = kind === 'out-of-memory' ? ' If it runs out of memory again, start a new run with a smaller batch or shorter sequences.' : '';
    return { kind, message, advice: `${GPU_ERROR_ADVICE[error.gpuError.kind]} ${next}${oom}` };
  }
  if (error instanceof ResumeRefused) return { kind: 'config', message, advice: 'Load the same model and shards the run started with, or start it as a new run.' };
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
