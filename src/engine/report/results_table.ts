/**
 * The thesis' results table (its Tables 4.x): one row per configuration — runs that differ only by seed are one
 * row with the metric as mean ± std over seeds — with the method, a note naming what sets the row apart from the
 * others, the trainable parameters (exact count and % of the model) and the validation metric (MRR for code
 * search, the chosen metric for classification). Rendered as an aligned text table, Markdown, LaTeX (booktabs)
 * or CSV; the CLI's `lab compare` and the dashboard share it.
 */
import type { TrainableSummary } from '../train/events';
import type { RecipeSettings } from '../train/run_config';
import type { TaskConfig } from '../train/task';
import { metricLabel } from '../train/task';
import { meanStd, type MeanStd } from './stats';

/** One finished (or stopped) run: what it was and how it scored. */
export interface RunResult {
  readonly name: string;
  readonly method: string;
  readonly task: TaskConfig;
  readonly recipe: RecipeSettings;
  /** Everything but the seed, as one key: runs with the same key are one row. */
  readonly groupKey: string;
  readonly trainable: TrainableSummary | null;
  /** The metric the run chose its best weights by, and its best value (null: never evaluated). */
  readonly metric: string;
  readonly best: number | null;
}

export interface ResultRow {
  readonly method: string;
  readonly note: string;
  readonly params: number | null;
  readonly percent: number | null;
  readonly metric: string;
  readonly value: MeanStd | null;
  readonly runs: readonly string[];
}

/** Recipe fields that never tell rows apart in a note. */
const QUIET = new Set<keyof RecipeSettings>(['seed', 'evalEvery', 'evalBatchSize', 'frozenWeightsF16']);
/** Settings of the query tower and the scores: a classification run has neither, so they say nothing about it. */
const SEARCH_ONLY = new Set<keyof RecipeSettings>(['nlLength', 'pooling', 'normalize', 'scale']);

export function resultsTable(results: readonly RunResult[]): ResultRow[] {
  const groups = new Map<string, RunResult[]>();
  for (const r of results) groups.set(r.groupKey, [...(groups.get(r.groupKey) ?? []), r]);
  const members = [...groups.values()];
  const varying = varyingFields(members.map((g) => g[0]!.recipe));
  return members.map((g) => {
    const first = g[0]!;
    const applies = varying.filter((k) => first.task.kind !== 'classification' || !SEARCH_ONLY.has(k));
    const note = [taskNote(first.task), ...applies.map((k) => `${k}=${String(first.recipe[k])}`)].filter((x) => x !== '').join(', ');
    return {
      method: first.method,
      note,
      params: first.trainable?.exact ?? null,
      percent: first.trainable?.percentExact ?? null,
      metric: first.metric,
      value: meanStd(g.map((r) => r.best ?? Number.NaN)),
      runs: g.map((r) => r.name),
    };
  });
}

function varyingFields(recipes: readonly RecipeSettings[]): (keyof RecipeSettings)[] {
  if (recipes.length < 2) return [];
  const keys = Object.keys(recipes[0]!) as (keyof RecipeSettings)[];
  return keys.filter((k) => !QUIET.has(k) && new Set(recipes.map((r) => JSON.stringify(r[k]))).size > 1);
}

function taskNote(task: TaskConfig): string {
  return task.kind === 'classification' ? `classification of ${task.label}${task.pair ? ` (${task.text} + ${task.pair})` : ''}` : '';
}

export type TableFormat = 'table' | 'markdown' | 'latex' | 'csv';

export const RESULT_HEADER: readonly string[] = ['Method', 'Note', '#Params', '%', 'Metric', 'Valid (%)', 'Runs'];
const HEADER = RESULT_HEADER;

/** A row's cells as the table shows them (`pm`: how ± is written). */
export function resultCells(row: ResultRow, pm = '±'): string[] {
  return cells(row, pm);
}

function cells(row: ResultRow, pm: string): string[] {
  const value = row.value ? (row.value.n > 1 ? `${pct(row.value.mean)} ${pm} ${pct(row.value.std)}` : pct(row.value.mean)) : '—';
  return [row.method, row.note, row.params === null ? '—' : row.params.toLocaleString('en-US'), row.percent === null ? '—' : row.percent.toFixed(2), metricLabel(row.metric), value, String(row.runs.length)];
}

const pct = (v: number): string => (100 * v).toFixed(2);

export function renderTable(rows: readonly ResultRow[], format: TableFormat): string {
  switch (format) {
    case 'markdown':
      return [HEADER, HEADER.map(() => '---'), ...rows.map((r) => cells(r, '±'))].map((c) => `| ${c.map(markdownCell).join(' | ')} |`).join('\n') + '\n';
    case 'latex':
      return latex(rows);
    case 'csv':
      return [['method', 'note', 'params', 'percent', 'metric', 'mean', 'std', 'seeds', 'runs'], ...rows.map(csvRow)].map((c) => c.map(csvCell).join(',')).join('\n') + '\n';
    case 'table':
      return aligned([HEADER, ...rows.map((r) => cells(r, '±'))]);
  }
}

function aligned(lines: readonly (readonly string[])[]): string {
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  return lines.map((l) => l.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

function markdownCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|');
}

const LATEX_SPECIAL: Readonly<Record<string, string>> = { '\\': '\\textbackslash{}', '&': '\\&', '%': '\\%', $: '\\$', '#': '\\#', _: '\\_', '{': '\\{', '}': '\\}', '~': '\\textasciitilde{}', '^': '\\textasciicircum{}' };

function latexText(text: string): string {
  return text.replace(/[\\&%$#_{}~^]/g, (c) => LATEX_SPECIAL[c]!).replace(/±/g, '$\\pm$').replace(/—/g, '--').replace(/–/g, '--');
}

function latex(rows: readonly ResultRow[]): string {
  const body = rows.map((r) => `${cells(r, '±').map(latexText).join(' & ')} \\\\`);
  return ['\\begin{tabular}{llrrlrr}', '\\toprule', `${HEADER.map(latexText).join(' & ')} \\\\`, '\\midrule', ...body, '\\bottomrule', '\\end{tabular}'].join('\n') + '\n';
}

function csvRow(r: ResultRow): string[] {
  const n = (v: number | null | undefined, digits: number): string => (v === null || v === undefined || !Number.isFinite(v) ? '' : v.toFixed(digits));
  return [r.method, r.note, r.params === null ? '' : String(r.params), n(r.percent, 4), r.metric, n(r.value?.mean, 6), n(r.value?.std, 6), String(r.value?.n ?? 0), r.runs.join(' ')];
}

/** RFC 4180 quoting; a leading =, +, -, @ is neutralized so a spreadsheet never runs a cell as a formula. */
function csvCell(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) && !/^-?\d/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A method's family, for the parameter-efficiency chart: its name without sizes ("LoRA-64" → "LoRA"). */
export function methodFamily(method: string): string {
  return method.replace(/-\d+(?=\b|$)/g, '').replace(/\s+\(layers [^)]*\)/, '');
}

export interface EfficiencyPoint {
  readonly percent: number;
  readonly mean: number;
  readonly std: number;
  readonly method: string;
}

/**
 * The thesis' Fig. 4.4: each method family's configurations as (trainable %, mean metric ± std), sorted by
 * trainable share, for one metric. Rows without a value or a parameter count are left out.
 */
export function efficiencySeries(rows: readonly ResultRow[], metric: string): Map<string, EfficiencyPoint[]> {
  const out = new Map<string, EfficiencyPoint[]>();
  for (const r of rows) {
    if (r.metric !== metric || !r.value || r.percent === null || r.percent <= 0) continue;
    const family = methodFamily(r.method);
    out.set(family, [...(out.get(family) ?? []), { percent: r.percent, mean: r.value.mean, std: r.value.std, method: r.method }]);
  }
  for (const points of out.values()) points.sort((a, b) => a.percent - b.percent);
  return out;
}
