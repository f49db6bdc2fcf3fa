/**
 * Curves at full resolution, outside React state: appended at the rate events arrive (batches every ~50 ms
 * from the Worker), read by the charts when the runs slice's `curvesTick` changes. `publish` is the only way
 * a change reaches React, once per animation frame at most, with the runs' summaries patched in the same set.
 */
import { keptOnResume, metricValue, type PruneRoundEvent, type TrainerEvent } from '../../engine/train/events';
import { emptyCurves, pointScore, type EvalPoint, type RunCurves, type RunRecord } from '../lib/run_types';
import { useLab } from './store';

const curves = new Map<string, RunCurves>();
const pending = new Map<string, Partial<RunRecord>>();
let frame: number | null = null;
let lastTick = 0;
/** Charts redraw at most this often. */
const CURVE_INTERVAL_MS = 250;
/** Run summaries (step counter, MRR in the table) at most this often: each is a synchronous React render. */
const SUMMARY_INTERVAL_MS = 200;
let lastSummary = 0;
let curvesDirty = false;

export function curvesOf(id: string): RunCurves | undefined {
  return curves.get(id);
}

export function allCurves(): RunCurves[] {
  return [...curves.values()];
}

export function setCurves(list: readonly RunCurves[]): void {
  for (const c of list) curves.set(c.id, c);
  curvesDirty = true;
  schedule();
}

export function deleteCurves(id: string): void {
  curves.delete(id);
  curvesDirty = true;
  schedule();
}

function evalPoint(e: Extract<TrainerEvent, { type: 'eval' }>, metric: string): EvalPoint {
  if (e.task !== 'classification') return { step: e.step, mrr: e.mrr, recall1: e.recall_1, recall5: e.recall_5, recall10: e.recall_10 };
  const score = metricValue(e, metric) ?? -Infinity;
  const cls = { accuracy: e.accuracy, precision: e.precision, recall: e.recall, f1: e.f1, macroF1: e.macro_f1, auc: e.auc, confusion: e.confusion, score };
  return { step: e.step, mrr: Number.NaN, recall1: Number.NaN, recall5: Number.NaN, recall10: Number.NaN, cls };
}

/**
 * A resumed run's curves go back to its checkpoint (what came after it is computed again, identically), and
 * its best and last evaluations with them.
 */
function cutBack(c: RunCurves, step: number, evalEvery: number, summary: Partial<RunRecord>): EvalPoint | null {
  const keep = c.step.findIndex((s) => !keptOnResume('step', s, step, evalEvery));
  if (keep >= 0) for (const k of ['step', 'loss', 'lr', 'gradNorm', 'tokensPerS', 'elapsedMs'] as const) c[k].length = Math.min(c[k].length, keep);
  c.evals = c.evals.filter((e) => keptOnResume('eval', e.step, step, evalEvery));
  let best: EvalPoint | null = null;
  for (const e of c.evals) if (!best || pointScore(e) > pointScore(best)) best = e;
  Object.assign(summary, { steps: step, best, final: c.evals.at(-1) ?? null });
  return best;
}

/** Appends a batch of events and returns the summary they imply for the run's record. */
function apply(c: RunCurves, events: readonly TrainerEvent[], summary: Partial<RunRecord>, best: EvalPoint | null, evalEvery: number, metric: string, rounds: readonly PruneRoundEvent[]): Partial<RunRecord> {
  let bestSoFar = best;
  let roundsSoFar = rounds;
  for (const e of events) {
    if (e.type === 'start') {
      Object.assign(summary, { trainable: e.trainable, totalSteps: e.total_steps });
      c.stepsPerEpoch = e.steps_per_epoch > 0 ? e.steps_per_epoch : null;
      if (e.resumed_from !== undefined) bestSoFar = cutBack(c, e.resumed_from, evalEvery, summary);
    } else if (e.type === 'step') {
      c.step.push(e.step);
      c.loss.push(e.loss);
      c.lr.push(e.lr);
      c.gradNorm.push(e.grad_norm);
      c.tokensPerS.push(e.tokens_per_s);
      c.elapsedMs.push(e.elapsed_ms);
      Object.assign(summary, { steps: e.step, elapsedMs: e.elapsed_ms });
    } else if (e.type === 'eval') {
      const point = evalPoint(e, metric);
      c.evals.push(point);
      if (e.best || !bestSoFar) bestSoFar = point;
      Object.assign(summary, { final: point, best: bestSoFar });
    } else if (e.type === 'prune-round') {
      roundsSoFar = [...roundsSoFar, e];
      Object.assign(summary, { rounds: roundsSoFar });
    } else if (e.type === 'done') Object.assign(summary, { steps: e.steps, elapsedMs: e.elapsed_ms, status: e.stopped ? 'stopped' : 'done' });
  }
  return summary;
}

export function appendEvents(runId: string, events: readonly TrainerEvent[]): void {
  let c = curves.get(runId);
  if (!c) {
    c = emptyCurves(runId);
    curves.set(runId, c);
  }
  const run = useLab.getState().runs.find((r) => r.id === runId);
  const summary = pending.get(runId) ?? {};
  const task = run?.config.task;
  const metric = task?.kind === 'classification' ? task.bestMetric : 'mrr';
  pending.set(runId, apply(c, events, summary, summary.best ?? run?.best ?? null, run?.config.recipe.evalEvery ?? 0, metric, summary.rounds ?? run?.rounds ?? []));
  curvesDirty = true;
  schedule();
}

/** A record change that should land with the next frame's batch (keeps one store update per frame). */
export function patchSoon(runId: string, change: Partial<RunRecord>): void {
  pending.set(runId, { ...pending.get(runId), ...change });
  schedule();
}

function publish(): void {
  frame = null;
  const state = useLab.getState();
  const now = performance.now();
  if (pending.size > 0 && now - lastSummary >= SUMMARY_INTERVAL_MS) {
    lastSummary = now;
    state.patchRuns(new Map(pending));
    pending.clear();
  } else if (pending.size > 0) schedule();
  if (curvesDirty && now - lastTick >= CURVE_INTERVAL_MS) {
    curvesDirty = false;
    lastTick = now;
    state.bumpCurves();
  } else if (curvesDirty) schedule();
}

function schedule(): void {
  if (frame !== null) return;
  frame = typeof requestAnimationFrame === 'function' ? requestAnimationFrame(publish) : (setTimeout(publish, 16) as unknown as number);
}

/** Applies whatever is pending now (before a run's record is saved). */
export function flushNow(): void {
  if (frame !== null && typeof cancelAnimationFrame === 'function') cancelAnimationFrame(frame);
  frame = null;
  lastTick = 0;
  lastSummary = 0;
  publish();
}
