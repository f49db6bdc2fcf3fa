/**
 * The per-example analysis' filters (the thesis' §5.1: easy, hard and fixed examples): a query is *found* by a
 * model when its gold code ranks within the top k. Filters compare two models (A, B); the CSV holds every query.
 */
import type { ExampleRanks } from '../worker/protocol';

export type ExampleFilter = 'all' | 'all-fail' | 'all-succeed' | 'a-not-b' | 'b-not-a';

export const FILTER_LABELS: Readonly<Record<ExampleFilter, string>> = {
  all: 'every query',
  'all-fail': 'every model fails (hard)',
  'all-succeed': 'every model finds it (easy)',
  'a-not-b': 'A finds it, B does not (fixed by A)',
  'b-not-a': 'B finds it, A does not (fixed by B)',
};

export function filterExamples(examples: readonly ExampleRanks[], filter: ExampleFilter, k: number): ExampleRanks[] {
  const found = (e: ExampleRanks, i: number): boolean => (e.ranks[i] ?? Number.POSITIVE_INFINITY) <= k;
  switch (filter) {
    case 'all':
      return [...examples];
    case 'all-fail':
      return examples.filter((e) => e.ranks.every((_, i) => !found(e, i)));
    case 'all-succeed':
      return examples.filter((e) => e.ranks.every((_, i) => found(e, i)));
    case 'a-not-b':
      return examples.filter((e) => found(e, 0) && !found(e, 1));
    case 'b-not-a':
      return examples.filter((e) => found(e, 1) && !found(e, 0));
  }
}

/** Mean code tokens, query tokens and lines of a set of examples (the thesis' App. 7.5 compares them across groups). */
export function exampleStats(examples: readonly ExampleRanks[]): { n: number; codeTokens: number; queryTokens: number; lines: number } {
  const n = examples.length;
  const mean = (f: (e: ExampleRanks) => number): number => (n === 0 ? Number.NaN : examples.reduce((s, e) => s + f(e), 0) / n);
  return { n, codeTokens: mean((e) => e.codeTokens), queryTokens: mean((e) => e.queryTokens), lines: mean((e) => e.lines) };
}

function csvCell(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function examplesCsv(examples: readonly ExampleRanks[], sourceNames: readonly string[]): string {
  const header = ['index', 'query', 'code_tokens', 'query_tokens', 'lines', ...sourceNames.map((s) => `rank ${s}`), 'code'];
  const rows = examples.map((e) => [String(e.index), e.query, String(e.codeTokens), String(e.queryTokens), String(e.lines), ...e.ranks.map(String), e.code]);
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}
