import type { ClassificationMetrics } from '../eval/classification_metrics';

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
  | SearchEval
  | ClassificationEval
  | {
      readonly type: 'done';
      readonly steps: number;
      readonly best_step: number | null;
      /** Code search's best MRR (null for other tasks, and without an evaluation). */
      readonly best_mrr: number | null;
      /** The metric the best weights were chosen by (`mrr`, `accuracy`, `f1`, ...) and its best value; absent in older records. */
      readonly best_metric?: string;
      readonly best_value?: number | null;
      readonly elapsed_ms: number;
      readonly stopped: boolean;
    }
  | { readonly type: 'error'; readonly message: string; readonly step: number | null }
  | PruneRoundEvent;

/**
 * The end of one round of a pruning schedule (engine/prune/schedule.ts): the sparsity it trained at and the
 * weights it chose. Steps are the run's (rounds follow each other on one step axis).
 */
export interface PruneRoundEvent {
  readonly type: 'prune-round';
  /** 0: the dense first round. */
  readonly round: number;
  /** Share of the prunable weights that are zero in this round. */
  readonly sparsity: number;
  /** Weights pruned before this round (0 in round 0). */
  readonly pruned: number;
  /** Steps trained in this round. */
  readonly steps: number;
  readonly stopped_early: boolean;
  /** The run step of the weights the round chose (null without an evaluation). */
  readonly picked_step: number | null;
  /** The metric the weights were judged by (`mrr`, or the classification metric) and its validation value. */
  readonly metric: string;
  readonly value: number | null;
}

/** A code-search evaluation (`task` is absent in records written before tasks existed). */
export interface SearchEval {
  readonly type: 'eval';
  readonly task?: 'code-search';
  readonly step: number;
  readonly mrr: number;
  readonly recall_1: number;
  readonly recall_5: number;
  readonly recall_10: number;
  readonly n: number;
  /** Whether this is the best MRR so far (its weights are kept). */
  readonly best: boolean;
}

/**
 * A classification evaluation (docs/TASKS.md): precision, recall and F1 of the positive class (class 1) with two
 * classes, their macro means with more; `macro_f1` always; AUC-ROC null where undefined (a class absent).
 */
export interface ClassificationEval {
  readonly type: 'eval';
  readonly task: 'classification';
  readonly step: number;
  readonly accuracy: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly macro_f1: number;
  readonly auc: number | null;
  /** confusion[true][predicted] counts. */
  readonly confusion: readonly (readonly number[])[];
  readonly n: number;
  /** Whether this is the best value of the run's chosen metric so far (its weights are kept). */
  readonly best: boolean;
}

export type EvalEvent = SearchEval | ClassificationEval;

/** A classification evaluation's numbers: the positive class's precision/recall/F1 with two classes, macro means with more. */
export function classificationScores(m: ClassificationMetrics): Omit<ClassificationEval, 'type' | 'task' | 'step' | 'best'> {
  const p = m.binary ?? { precision: m.precisionMacro, recall: m.recallMacro, f1: m.f1Macro };
  return { accuracy: m.accuracy, precision: p.precision, recall: p.recall, f1: p.f1, macro_f1: m.f1Macro, auc: m.aucRoc, confusion: m.confusion, n: m.n };
}

/** The value of `metric` (`mrr`, `accuracy`, `f1`, `macro_f1`, `auc`, ...) in an evaluation (null where undefined). */
export function metricValue(e: EvalEvent, metric: string): number | null {
  const v = (e as unknown as Record<string, unknown>)[metric];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

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
