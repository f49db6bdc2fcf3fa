/** What the lab remembers about a run: plain data, persisted in IndexedDB and exported as CSV/JSON. */
import type { PruneRoundEvent, TrainableSummary } from '../../engine/train/events';
import type { RunConfig } from '../../engine/train/run_config';

export type RunStatus = 'queued' | 'preparing' | 'running' | 'pausing' | 'paused' | 'done' | 'stopped' | 'error' | 'interrupted';

export type FailureKind = 'out-of-memory' | 'device-lost' | 'diverged' | 'data' | 'config' | 'model' | 'internal';

/** An error shown to the user: what happened and what to do next. */
export interface RunFailure {
  readonly kind: FailureKind;
  readonly message: string;
  readonly advice: string;
}

/** A classification evaluation's numbers (events.ts ClassificationEval); `score` is the run's chosen metric's value. */
export interface ClassPoint {
  readonly accuracy: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly macroF1: number;
  readonly auc: number | null;
  readonly confusion: readonly (readonly number[])[];
  readonly score: number;
}

/** One evaluation: code search's MRR and recalls (NaN for a classification run, which carries `cls`). */
export interface EvalPoint {
  readonly step: number;
  readonly mrr: number;
  readonly recall1: number;
  readonly recall5: number;
  readonly recall10: number;
  readonly cls?: ClassPoint;
}

/** What a run's best evaluation is chosen by: MRR, or a classification run's chosen metric. */
export function pointScore(p: EvalPoint): number {
  return p.cls ? p.cls.score : p.mrr;
}

export interface RunRecord {
  readonly id: string;
  readonly name: string;
  readonly createdAt: number;
  readonly config: RunConfig;
  /** Short method name for tables and legends (e.g. "LoRA-64 + Adapter-FFN-384"). */
  readonly method: string;
  /** Index into the palette, fixed at creation so a run keeps its color in every chart. */
  readonly color: number;
  readonly status: RunStatus;
  readonly trainable: TrainableSummary | null;
  readonly totalSteps: number | null;
  readonly steps: number;
  readonly elapsedMs: number;
  readonly peakBytes: number;
  readonly best: EvalPoint | null;
  /** The last evaluation (at the end of the run). */
  readonly final: EvalPoint | null;
  readonly failure: RunFailure | null;
  /** Set when the run was one of a sweep. */
  readonly sweep: string | null;
  /** The step of the run's checkpoint kept in this browser ("Resume" continues from it); absent in older records. */
  readonly checkpointStep?: number | null;
  /** A classification run's class names, in class order (known once its data is read). */
  readonly classes?: readonly string[];
  /** A pruning schedule's finished rounds: the sparsity each trained at and its chosen weights' score. */
  readonly rounds?: readonly PruneRoundEvent[];
}

/** Full-resolution curves of one run (one entry per step; evaluations separately). */
export interface RunCurves {
  readonly id: string;
  step: number[];
  loss: number[];
  lr: number[];
  gradNorm: number[];
  tokensPerS: number[];
  /** Wall time since the run started, per step (empty for runs stored before it was kept). */
  elapsedMs: number[];
  /** From the run's start event; null for runs stored before it was kept. */
  stepsPerEpoch: number | null;
  evals: EvalPoint[];
}

export function emptyCurves(id: string): RunCurves {
  return { id, step: [], loss: [], lr: [], gradNorm: [], tokensPerS: [], elapsedMs: [], stepsPerEpoch: null, evals: [] };
}

/** Everything but the seed: runs with the same key differ only by seed and are grouped as mean ± std. */
export function seedGroupKey(config: RunConfig): string {
  const { seed: _seed, ...rest } = config.recipe;
  return JSON.stringify({ model: config.model, dataset: config.dataset, task: config.task, peft: config.peft, recipe: rest, ...(config.pruning ? { pruning: config.pruning } : {}) });
}

export const PALETTE: readonly string[] = ['#3b6fd8', '#e0662b', '#2a9d5c', '#b8418f', '#8a6d1f', '#1e9bb0', '#d9453b', '#6b56c9', '#5a7a2a', '#c2408a'];

export function runColor(run: Pick<RunRecord, 'color'>): string {
  return PALETTE[run.color % PALETTE.length]!;
}
