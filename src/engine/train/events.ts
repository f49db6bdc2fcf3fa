/**
 * The trainer's typed events: the Web Worker bridge posts them to the page, the CLI writes them as JSONL.
 * Field names are snake_case where they are also the CLI's metrics.jsonl keys.
 */

export interface TrainableSummary {
  readonly exact: number;
  readonly paper: number;
  readonly base: number;
  readonly percentExact: number;
  readonly percentPaper: number;
}

export type TrainerEvent =
  | {
      readonly type: 'start';
      readonly total_steps: number;
      readonly steps_per_epoch: number;
      readonly examples: number;
      readonly trainable: TrainableSummary;
      /** Present when the run continues from a checkpoint: the steps already done. */
      readonly resumed_from?: number;
    }
  | {
      readonly type: 'step';
      readonly step: number;
      /** The batch's loss before this step's update. */
      readonly loss: number;
      readonly lr: number;
      readonly grad_norm: number;
      /** Padded tokens (code + query) processed per second. */
      readonly tokens_per_s: number;
      readonly elapsed_ms: number;
    }
  | {
      readonly type: 'eval';
      readonly step: number;
      readonly mrr: number;
      readonly recall_1: number;
      readonly recall_5: number;
      readonly recall_10: number;
      readonly n: number;
      /** Whether this is the best MRR so far (its weights are kept). */
      readonly best: boolean;
    }
  | { readonly type: 'done'; readonly steps: number; readonly best_step: number | null; readonly best_mrr: number | null; readonly elapsed_ms: number; readonly stopped: boolean }
  | { readonly type: 'error'; readonly message: string; readonly step: number | null };

export type EmitEvent = (event: TrainerEvent) => void;

/**
 * Whether a step or evaluation event stays in a run's record when the run continues from its checkpoint at
 * `checkpointStep`: steps up to it, and evaluations before it — a stopped run's last evaluation comes after its
 * checkpoint (which is saved first), so one at the checkpoint's step stays only when the schedule made it.
 */
export function keptOnResume(type: 'step' | 'eval', step: number, checkpointStep: number, evalEvery: number): boolean {
  if (type === 'step') return step <= checkpointStep;
  return step < checkpointStep || (step === checkpointStep && evalEvery > 0 && step % evalEvery === 0);
}
