/**
 * Chart rows from full-resolution curves: smoothing first (debiased EMA or a running average over every step), then every visible
 * run placed on the chosen x-axis (step, epoch, examples, wall time) and reduced onto one shared grid of x buckets, then merged
 * into rows keyed by run id.
 */
import { smooth, type Smoothing } from '../../lib/ema';
import { bucketWidth, downsample, mergeSeries, type Reduce } from '../../lib/downsample';
import { runColor, type RunCurves, type RunRecord } from '../../lib/run_types';
import { isWholeAxis, xOfStep, type XAxisKind } from '../../lib/x_axis';

export const MAX_POINTS = 300;
export const RAW_SUFFIX = ':raw';

export interface SeriesKey {
  readonly id: string;
  readonly name: string;
  readonly color: string;
}

export interface ChartRows {
  readonly keys: readonly SeriesKey[];
  readonly axis: XAxisKind;
  /** Runs with points that this axis cannot place (stored before wall time and epochs were kept). */
  readonly left: number;
  readonly loss: Array<Record<string, number>>;
  readonly lr: Array<Record<string, number>>;
  readonly gradNorm: Array<Record<string, number>>;
  readonly throughput: Array<Record<string, number>>;
  readonly mrr: Array<Record<string, number>>;
  /** Classification runs' evaluations (empty when no run classifies). */
  readonly accuracy: Array<Record<string, number>>;
  readonly f1: Array<Record<string, number>>;
  readonly auc: Array<Record<string, number>>;
}

type Field = 'lr' | 'gradNorm' | 'tokensPerS';

interface Shown {
  readonly run: RunRecord;
  readonly c: RunCurves;
  /** x of every step of the run, on the chosen axis. */
  readonly xs: Float64Array;
  readonly xOf: (step: number) => number;
}

/** The visible runs that have points and what the axis needs (old stored runs have no wall time or epochs). */
function shownRuns(runs: readonly RunRecord[], curvesOf: (id: string) => RunCurves | undefined, axis: XAxisKind): Shown[] {
  const out: Shown[] = [];
  for (const run of runs) {
    const c = curvesOf(run.id);
    if (!c || (c.step.length === 0 && c.evals.length === 0)) continue;
    const xOf = xOfStep(axis, c, run.config.recipe.batchSize);
    if (xOf) out.push({ run, c, xOf, xs: Float64Array.from(c.step, xOf) });
  }
  return out;
}

function lastX({ c, xs, xOf }: Shown): number {
  return Math.max(xs.at(-1) ?? 0, xOf(c.evals.at(-1)?.step ?? 0));
}

/** `_version` only keys memoization: the curves changed when it changed. */
export function buildRows(runs: readonly RunRecord[], curvesOf: (id: string) => RunCurves | undefined, smoothing: number, _version = 0, kind: Smoothing = 'ema', axis: XAxisKind = 'step'): ChartRows {
  const shown = shownRuns(runs, curvesOf, axis);
  const width = bucketWidth(Math.max(isWholeAxis(axis) ? 1 : 0, ...shown.map(lastX)), MAX_POINTS, isWholeAxis(axis));
  const loss = new Map<string, Map<number, number>>();
  const mrr = new Map<string, Map<number, number>>();
  const cls = { accuracy: new Map<string, Map<number, number>>(), f1: new Map<string, Map<number, number>>(), auc: new Map<string, Map<number, number>>() };
  const per = (field: Field, reduce: Reduce) => new Map(shown.map(({ run, c, xs }) => [run.id, downsample(xs, c[field], width, reduce)]));
  for (const { run, c, xs, xOf } of shown) {
    loss.set(run.id, downsample(xs, smooth(c.loss, kind, smoothing), width, 'last'));
    if (smoothing > 0) loss.set(run.id + RAW_SUFFIX, downsample(xs, c.loss, width, 'mean'));
    const points = c.evals.filter((e) => e.cls);
    if (points.length < c.evals.length) mrr.set(run.id, new Map(c.evals.filter((e) => !e.cls).map((e) => [xOf(e.step), e.mrr])));
    if (points.length > 0) {
      cls.accuracy.set(run.id, new Map(points.map((e) => [xOf(e.step), e.cls!.accuracy])));
      cls.f1.set(run.id, new Map(points.map((e) => [xOf(e.step), e.cls!.f1])));
      // An undefined AUC (a class missing from the validation set) leaves a gap.
      cls.auc.set(run.id, new Map(points.filter((e) => e.cls!.auc !== null).map((e) => [xOf(e.step), e.cls!.auc!])));
    }
  }
  return {
    keys: shown.map(({ run }) => ({ id: run.id, name: run.name, color: runColor(run) })),
    axis,
    left: runs.length - shown.length - runs.filter((r) => !hasPoints(curvesOf(r.id))).length,
    loss: mergeSeries(loss),
    lr: mergeSeries(per('lr', 'last')),
    gradNorm: mergeSeries(per('gradNorm', 'mean')),
    throughput: mergeSeries(per('tokensPerS', 'mean')),
    mrr: mergeSeries(mrr),
    accuracy: mergeSeries(cls.accuracy),
    f1: mergeSeries(cls.f1),
    auc: mergeSeries(cls.auc),
  };
}

function hasPoints(c: RunCurves | undefined): boolean {
  return c !== undefined && (c.step.length > 0 || c.evals.length > 0);
}
