/**
 * Parallel coordinates for a sweep (as W&B's sweep view): one vertical axis per configuration field the runs
 * disagree on, then the metric; each run is a line through its values. Positions are 0 (bottom) … 1 (top).
 * Numbers get a linear axis, or a log axis when they are all positive and span 20× or more (learning rates);
 * anything else is a category axis in first-seen order.
 */
import { configDiff, type DiffRow } from './config_diff';

export interface AxisTick {
  readonly label: string;
  readonly at: number;
}

export interface ParallelAxis {
  readonly path: string;
  readonly label: string;
  readonly kind: 'linear' | 'log' | 'category';
  readonly ticks: readonly AxisTick[];
}

export interface ParallelLine {
  readonly id: string;
  readonly name: string;
  /** Position on each axis (the metric's last). */
  readonly at: readonly number[];
  readonly metric: number;
}

export interface ParallelRun {
  readonly id: string;
  readonly name: string;
  /** The method as the runs table names it (LoRA-64, Adapter-FFN-384): one axis when the methods differ in kind. */
  readonly method: string;
  readonly config: unknown;
  /** The run's best validation value; runs without one are left out. */
  readonly metric: number | null;
}

export interface ParallelCoordinates {
  readonly axes: readonly ParallelAxis[];
  readonly lines: readonly ParallelLine[];
}

/** Fields that differ between runs but say nothing about the configuration's effect on the metric. */
const IGNORED = ['dataset', 'model', 'recipe.evalEvery', 'recipe.evalBatchSize', 'recipe.frozenWeightsF16'];

function label(path: string): string {
  return path.replace(/^(recipe|peft|task)\./, '');
}

function scale(values: readonly number[], log: boolean): (v: number) => number {
  const f = log ? Math.log : (v: number) => v;
  const lo = Math.min(...values.map(f));
  const hi = Math.max(...values.map(f));
  return (v) => (hi > lo ? (f(v) - lo) / (hi - lo) : 0.5);
}

function numberAxis(path: string, values: readonly number[], allowLog = true): { axis: ParallelAxis; at: number[] } {
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  const log = allowLog && distinct[0]! > 0 && distinct.at(-1)! / distinct[0]! >= 20;
  const pos = scale(values, log);
  const text = (v: number): string => (Number.isInteger(v) ? String(v) : String(+v.toPrecision(4))); // a seed stays 123456
  const ticks = (distinct.length <= 6 ? distinct : [distinct[0]!, distinct.at(-1)!]).map((v) => ({ label: text(v), at: pos(v) }));
  return { axis: { path, label: label(path), kind: log ? 'log' : 'linear', ticks }, at: values.map(pos) };
}

function categoryAxis(path: string, values: readonly string[]): { axis: ParallelAxis; at: number[] } {
  const distinct = [...new Set(values)];
  const pos = (v: string): number => (distinct.length > 1 ? distinct.indexOf(v) / (distinct.length - 1) : 0.5);
  const shown = (v: string): string => {
    const p = parsed(v);
    return typeof p === 'string' ? p : v; // a JSON string without its quotes
  };
  return { axis: { path, label: label(path), kind: 'category', ticks: distinct.map((v) => ({ label: shown(v), at: pos(v) })) }, at: values.map(pos) };
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text; // '—' (absent)
  }
}

/**
 * The differing settings. When the runs differ in the kind of method (LoRA vs adapters), each method's own fields
 * (r, size, targets, ...) are meaningless across them: one `method` axis replaces every `peft.*` field.
 */
function settingRows(runs: readonly ParallelRun[]): DiffRow[] {
  const rows = configDiff(runs.map((r) => r.config), IGNORED);
  const peft = (row: DiffRow): boolean => row.path.startsWith('peft.');
  const kinds = rows.some((row) => /^peft\.methods\[\d+\]\.type$/.test(row.path) || (peft(row) && row.values.includes('—')));
  if (!kinds) return rows;
  return [{ path: 'method', values: runs.map((r) => JSON.stringify(r.method)) }, ...rows.filter((row) => !peft(row))];
}

export function parallelCoordinates(runs: readonly ParallelRun[], metricLabel: string): ParallelCoordinates {
  const scored = runs.filter((r): r is ParallelRun & { metric: number } => r.metric !== null && Number.isFinite(r.metric));
  if (scored.length < 2) return { axes: [], lines: [] };
  const columns = settingRows(scored).map((row) => {
    const values = row.values.map(parsed);
    return values.every((v): v is number => typeof v === 'number' && Number.isFinite(v)) ? numberAxis(row.path, values) : categoryAxis(row.path, row.values);
  });
  const metric = numberAxis('metric', scored.map((r) => r.metric), false);
  const percent = metric.axis.ticks.map((t) => ({ label: (100 * Number(t.label)).toFixed(2), at: t.at }));
  const axes = [...columns.map((c) => c.axis), { ...metric.axis, label: metricLabel, ticks: percent }];
  const lines = scored.map((r, i) => ({ id: r.id, name: r.name, metric: r.metric, at: [...columns.map((c) => c.at[i]!), metric.at[i]!] }));
  return { axes, lines };
}
