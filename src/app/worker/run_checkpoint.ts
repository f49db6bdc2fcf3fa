/**
 * A browser run's checkpoints: the CLI's checkpoint file (engine/train/checkpoint.ts), kept in OPFS per run,
 * written at each evaluation, every N steps and on stop; read back by "Resume", which refuses a checkpoint
 * whose run differs (model, method, recipe, starting adapter, data) and names what differs.
 */
import { CheckpointError, decodeCheckpoint, encodeCheckpoint, fingerprintDifferences, type RunFingerprint } from '../../engine/train/checkpoint';
import type { CheckpointPolicy, TrainState } from '../../engine/train/train_state';
import type { WorkerResponse } from './protocol';
import { storeCheckpoint, storedCheckpoint } from './workspace_files';

/** A resume that cannot go on: the message says why and what to do. */
export class ResumeRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResumeRefused';
  }
}

export async function stateToResume(runId: string, now: RunFingerprint): Promise<TrainState> {
  const bytes = await storedCheckpoint(runId);
  if (!bytes) throw new ResumeRefused('This run has no checkpoint in this browser (it saved none yet, or its storage was freed).');
  let saved;
  try {
    saved = decodeCheckpoint(bytes, 'the checkpoint');
  } catch (error) {
    if (error instanceof CheckpointError) throw new ResumeRefused(`The run's checkpoint cannot be read: ${error.message}.`);
    throw error;
  }
  const diffs = fingerprintDifferences(saved.fingerprint, now);
  if (diffs.length > 0) throw new ResumeRefused(`The run would continue with other settings or data than it started with (${diffs.slice(0, 3).join('; ')}).`);
  return saved.state;
}

/**
 * Saves into OPFS and tells the page the step. A checkpoint that cannot be written (quota, storage disabled)
 * does not end a run that is training fine: the page is told, and the previous checkpoint stays.
 */
export function browserCheckpoints(runId: string, fingerprint: RunFingerprint, every: number, post: (m: WorkerResponse) => void): CheckpointPolicy {
  return {
    every,
    async save(state) {
      try {
        await storeCheckpoint(runId, encodeCheckpoint({ state, fingerprint }));
        post({ type: 'run-checkpoint', runId, step: state.step, problem: null });
      } catch (error) {
        post({ type: 'run-checkpoint', runId, step: null, problem: `The checkpoint at step ${state.step} could not be saved (${error instanceof Error ? error.message : String(error)}): free space in the Storage panel.` });
      }
    },
  };
}
