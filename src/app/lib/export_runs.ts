/**
 * CSV and JSON exports of every run and every metric. CSV cells are quoted per RFC 4180; text cells that a
 * spreadsheet would run as a formula (=, +, -, @ first) get a leading apostrophe, since run names and dataset
 * names come from file names a user dropped.
 */
import type { EvalPoint, RunCurves, RunRecord } from './run_types';

type Cell = string | number | boolean | null | undefined;

export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return [header.join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\n') + '\n';
}

const RUN_COLUMNS = [
  'id', 'name', 'method', 'model', 'dataset', 'seed', 'status', 'trainable_exact', 'trainable_paper', 'trainable_pct_exact',
  'trainable_pct_paper', 'steps', 'total_steps', 'best_step', 'best_mrr', 'best_recall_1', 'best_recall_5', 'best_recall_10',
  'final_mrr', 'final_recall_1', 'final_recall_5', 'final_recall_10', 'time_s', 'peak_bytes', 'created', 'error', 'config',
  'task', 'best_accuracy', 'best_f1', 'best_macro_f1', 'best_auc', 'final_accuracy', 'final_f1', 'final_macro_f1', 'final_auc',
] as const;

export function runsCsv(runs: readonly RunRecord[]): string {
  const rows = runs.map((r) => [
    r.id, r.name, r.method, r.config.model, r.config.dataset, r.config.recipe.seed, r.status,
    r.trainable?.exact, r.trainable?.paper, r.trainable?.percentExact, r.trainable?.percentPaper,
    r.steps, r.totalSteps, r.best?.step, r.best?.mrr, r.best?.recall1, r.best?.recall5, r.best?.recall10,
    r.final?.mrr, r.final?.recall1, r.final?.recall5, r.final?.recall10,
    r.elapsedMs / 1000, r.peakBytes, new Date(r.createdAt).toISOString(), r.failure?.message, JSON.stringify(r.config),
    r.config.task.kind, ...classCells(r.best), ...classCells(r.final),
  ]);
  return csv(RUN_COLUMNS, rows);
}

/** A classification evaluation's accuracy, F1, macro F1 and AUC (empty cells for code search). */
function classCells(p: EvalPoint | null): Cell[] {
  return p?.cls ? [p.cls.accuracy, p.cls.f1, p.cls.macroF1, p.cls.auc] : [null, null, null, null];
}

/** Long format: one row per step and one per evaluation, every run in one file (wall time per step, in seconds). */
export function metricsCsv(curves: readonly RunCurves[]): string {
  const rows: Cell[][] = [];
  for (const c of curves) {
    const seconds = (i: number): number | null => (c.elapsedMs.length === c.step.length ? c.elapsedMs[i]! / 1000 : null);
    c.step.forEach((step, i) => rows.push([c.id, 'step', step, seconds(i), c.loss[i], c.lr[i], c.gradNorm[i], c.tokensPerS[i], null, null, null, null, null, null, null, null]));
    c.evals.forEach((e: EvalPoint) => rows.push([c.id, 'eval', e.step, null, null, null, null, null, e.mrr, e.recall1, e.recall5, e.recall10, ...classCells(e)]));
  }
  return csv(['run_id', 'kind', 'step', 'elapsed_s', 'loss', 'lr', 'grad_norm', 'tokens_per_s', 'mrr', 'recall_1', 'recall_5', 'recall_10', 'accuracy', 'f1', 'macro_f1', 'auc'], rows);
}

export function runsJson(runs: readonly RunRecord[], curves: readonly RunCurves[]): string {
  const byId = new Map(curves.map((c) => [c.id, c]));
  return JSON.stringify({ format: 'webgpu-finetuning-lab/runs', version: 1, exported: new Date().toISOString(), runs: runs.map((r) => ({ ...r, curves: byId.get(r.id) ?? null })) }, null, 1);
}

/** Saves text or bytes as a download (a blob URL on a temporary link). */
export function download(name: string, data: string | Uint8Array, type = 'text/plain'): void {
  const part: BlobPart = typeof data === 'string' ? data : new Uint8Array(data);
  const url = URL.createObjectURL(new Blob([part], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
