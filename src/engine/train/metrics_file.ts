/**
 * Reads a metrics.jsonl — the lab's CLI writes one, and so does an exported PyTorch project on a cluster — back
 * into typed events and a run summary, so cluster runs sit beside browser runs. Lines that are not a known
 * event are skipped and reported (a run killed mid-write leaves a torn last line); the file's size is bounded
 * by what a long run can legitimately write.
 */
import type { ClassificationEval, PruneRoundEvent, TrainableSummary, TrainerEvent } from './events';

/** 31,478 steps (the thesis' run) take ~6 MB; 256 MiB leaves room for 40× that and stops a hostile file. */
export const MAX_METRICS_BYTES = 256 * 1024 * 1024;

export interface MetricsSummary {
  readonly events: TrainerEvent[];
  readonly trainable: TrainableSummary | null;
  readonly totalSteps: number | null;
  readonly steps: number;
  readonly elapsedMs: number;
  readonly best: Extract<TrainerEvent, { type: 'eval' }> | null;
  readonly final: Extract<TrainerEvent, { type: 'eval' }> | null;
  readonly done: boolean;
  readonly error: string | null;
  /** Lines that were skipped, with the reason (the first few). */
  readonly skipped: { readonly line: number; readonly reason: string }[];
  readonly skippedCount: number;
}

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const numOrNull = (v: unknown): boolean => v === null || num(v);

function validEvent(e: Record<string, unknown>): TrainerEvent | string {
  switch (e.type) {
    case 'start':
      if (!num(e.total_steps) || !num(e.examples)) return 'a start event needs total_steps and examples';
      return { type: 'start', total_steps: e.total_steps, steps_per_epoch: num(e.steps_per_epoch) ? e.steps_per_epoch : 0, examples: e.examples, trainable: trainableOf(e.trainable) };
    case 'step':
      // A diverged step may carry a non-finite loss; JSON writes NaN as null or as the bare word.
      if (!num(e.step) || !(num(e.loss) || e.loss === null) || !num(e.lr)) return 'a step event needs step, loss and lr';
      return { type: 'step', step: e.step, loss: num(e.loss) ? e.loss : Number.NaN, lr: e.lr, grad_norm: num(e.grad_norm) ? e.grad_norm : Number.NaN, tokens_per_s: num(e.tokens_per_s) ? e.tokens_per_s : 0, elapsed_ms: num(e.elapsed_ms) ? e.elapsed_ms : 0 };
    case 'eval':
      if (e.task === 'classification') return classificationEval(e);
      if (![e.step, e.mrr, e.recall_1, e.recall_5, e.recall_10].every(num)) return 'an eval event needs step, mrr and recall_1/5/10';
      return { type: 'eval', step: e.step as number, mrr: e.mrr as number, recall_1: e.recall_1 as number, recall_5: e.recall_5 as number, recall_10: e.recall_10 as number, n: num(e.n) ? e.n : 0, best: e.best === true };
    case 'done':
      if (!num(e.steps) || !numOrNull(e.best_mrr ?? null)) return 'a done event needs steps';
      return {
        type: 'done',
        steps: e.steps,
        best_step: num(e.best_step) ? e.best_step : null,
        best_mrr: num(e.best_mrr) ? e.best_mrr : null,
        ...(typeof e.best_metric === 'string' ? { best_metric: e.best_metric.slice(0, 40), best_value: num(e.best_value) ? e.best_value : null } : {}),
        elapsed_ms: num(e.elapsed_ms) ? e.elapsed_ms : 0,
        stopped: e.stopped === true,
      };
    case 'prune-round':
      return pruneRound(e);
    case 'error':
      return { type: 'error', message: typeof e.message === 'string' ? e.message.slice(0, 2000) : 'the run failed', step: num(e.step) ? e.step : null };
    default:
      return `unknown event type ${JSON.stringify(e.type)}`;
  }
}

function pruneRound(e: Record<string, unknown>): PruneRoundEvent | string {
  if (![e.round, e.sparsity, e.steps].every(num) || !numOrNull(e.value ?? null)) return 'a prune-round event needs round, sparsity and steps';
  const metric = typeof e.metric === 'string' ? e.metric.slice(0, 40) : 'mrr';
  return { type: 'prune-round', round: e.round as number, sparsity: e.sparsity as number, pruned: num(e.pruned) ? e.pruned : 0, steps: e.steps as number, stopped_early: e.stopped_early === true, picked_step: num(e.picked_step) ? e.picked_step : null, metric, value: num(e.value) ? e.value : null };
}

/** Classes a confusion matrix may have (as data/labels.ts MAX_CLASSES). */
const MAX_CONFUSION = 1000;

function classificationEval(e: Record<string, unknown>): ClassificationEval | string {
  if (![e.step, e.accuracy, e.precision, e.recall, e.f1, e.macro_f1].every(num) || !numOrNull(e.auc ?? null)) return 'a classification eval event needs step, accuracy, precision, recall, f1 and macro_f1';
  const rows = Array.isArray(e.confusion) && e.confusion.length <= MAX_CONFUSION ? (e.confusion as unknown[]) : [];
  const square = rows.every((r) => Array.isArray(r) && r.length === rows.length && r.every(num));
  return {
    type: 'eval',
    task: 'classification',
    step: e.step as number,
    accuracy: e.accuracy as number,
    precision: e.precision as number,
    recall: e.recall as number,
    f1: e.f1 as number,
    macro_f1: e.macro_f1 as number,
    auc: num(e.auc) ? e.auc : null,
    confusion: square ? (rows as number[][]) : [],
    n: num(e.n) ? e.n : 0,
    best: e.best === true,
  };
}

function trainableOf(v: unknown): TrainableSummary {
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  const exact = num(o.exact) ? o.exact : 0;
  const base = num(o.base) ? o.base : 0;
  const paper = num(o.paper) ? o.paper : exact;
  const pct = (x: number): number => (base > 0 ? (100 * x) / base : 0);
  return { exact, paper, base, percentExact: pct(exact), percentPaper: pct(paper) };
}

export function parseMetrics(text: string): MetricsSummary {
  if (text.length > MAX_METRICS_BYTES) throw new Error(`metrics.jsonl is ${Math.round(text.length / 2 ** 20)} MiB, more than any run writes (${MAX_METRICS_BYTES / 2 ** 20} MiB): is it the right file?`);
  const events: TrainerEvent[] = [];
  const skipped: { line: number; reason: string }[] = [];
  let skippedCount = 0;
  const skip = (line: number, reason: string): void => {
    skippedCount++;
    if (skipped.length < 5) skipped.push({ line, reason });
  };
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    let value: unknown;
    try {
      value = JSON.parse(line.replace(/:\s*(-?Infinity|NaN)\b/g, ': null'));
    } catch {
      return skip(i + 1, 'not JSON (a torn last line of a killed run?)');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return skip(i + 1, 'not a JSON object');
    const event = validEvent(value as Record<string, unknown>);
    if (typeof event === 'string') skip(i + 1, event);
    else events.push(event);
  });
  return summarize(events, skipped, skippedCount);
}

function summarize(events: TrainerEvent[], skipped: { line: number; reason: string }[], skippedCount: number): MetricsSummary {
  let trainable: TrainableSummary | null = null;
  let totalSteps: number | null = null;
  let steps = 0;
  let elapsedMs = 0;
  let best: Extract<TrainerEvent, { type: 'eval' }> | null = null;
  let final: Extract<TrainerEvent, { type: 'eval' }> | null = null;
  let done = false;
  let error: string | null = null;
  for (const e of events) {
    if (e.type === 'start') ((trainable = e.trainable), (totalSteps = e.total_steps));
    else if (e.type === 'step') ((steps = Math.max(steps, e.step)), (elapsedMs = Math.max(elapsedMs, e.elapsed_ms)));
    else if (e.type === 'eval') {
      final = e;
      // A classification run marks the evaluation its chosen metric preferred; code search is chosen by MRR.
      if (e.task === 'classification' ? e.best || !best : !best || (best.task !== 'classification' && e.mrr > best.mrr)) best = e;
    } else if (e.type === 'done') ((done = true), (elapsedMs = Math.max(elapsedMs, e.elapsed_ms)));
    else if (e.type === 'error') error = e.message;
  }
  if (events.length === 0) throw new Error(`metrics.jsonl holds no events of the lab's schema${skipped[0] ? ` (line ${skipped[0].line}: ${skipped[0].reason})` : ''}`);
  return { events, trainable, totalSteps, steps, elapsedMs, best, final, done, error, skipped, skippedCount };
}
