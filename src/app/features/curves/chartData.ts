/**
 * Chart rows from full-resolution curves: smoothing first (debiased EMA or a running average over every step), then every visible
 * run reduced onto one shared grid of step buckets, then merged into rows keyed by run id.
 */
import { smooth, type Smoothing } from '../../lib/ema';
import { bucketWidth, downsample, mergeSeries, type Reduce } from '../../lib/downsample';
import { runColor, type RunCurves, type RunRecord } from '../../lib/run_types';

export const MAX_POINTS = 300;
export const RAW_SUFFIX = ':raw';

export interface SeriesKey {
  readonly id: string;
  readonly name: string;
  readonly color: string;
}

export interface ChartRows {
  readonly keys: readonly SeriesKey[];
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

/** `_version` only keys memoization: the curves changed when it changed. */
export function buildRows(runs: readonly RunRecord[], curvesOf: (id: string) => RunCurves | undefined, smoothing: number, _version = 0, kind: Smoothing = 'ema'): ChartRows {
  const shown = runs.map((run) => ({ run, c: curvesOf(run.id) })).filter((x): x is { run: RunRecord; c: RunCurves } => x.c !== undefined && (x.c.step.length > 0 || x.c.evals.length > 0));
  const maxStep = Math.max(1, ...shown.map((x) => x.c.step.at(-1) ?? 0));
  const width = bucketWidth(maxStep, MAX_POINTS);
  const loss = new Map<string, Map<number, number>>();
  const mrr = new Map<string, Map<number, number>>();
  const cls = { accuracy: new Map<string, Map<number, number>>(), f1: new Map<string, Map<number, number>>(), auc: new Map<string, Map<number, number>>() };
  const per = (field: Field, reduce: Reduce) => new Map(shown.map(({ run, c }) => [run.id, downsample(c.step, c[field], width, reduce)]));
  for (const { run, c } of shown) {
    loss.set(run.id, downsample(c.step, smooth(c.loss, kind, smoothing), width, 'last'));
    if (smoothing > 0) loss.set(run.id + RAW_SUFFIX, downsample(c.step, c.loss, width, 'mean'));
    const points = c.evals.filter((e) => e.cls);
    if (points.length < c.evals.length) mrr.set(run.id, new Map(c.evals.filter((e) => !e.cls).map((e) => [e.step, e.mrr])));
    if (points.length > 0) {
      cls.accuracy.set(run.id, new Map(points.map((e) => [e.step, e.cls!.accuracy])));
      cls.f1.set(run.id, new Map(points.map((e) => [e.step, e.cls!.f1])));
      // An undefined AUC (a class missing from the validation set) leaves a gap.
      cls.auc.set(run.id, new Map(points.filter((e) => e.cls!.auc !== null).map((e) => [e.step, e.cls!.auc!])));
    }
  }
  return {
    keys: shown.map(({ run }) => ({ id: run.id, name: run.name, color: runColor(run) })),
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
