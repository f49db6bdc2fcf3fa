/**
 * The thesis' results table (src/engine/report/results_table.ts): rows by configuration, the note, the method
 * families and the parameter-efficiency series, and text that cannot break a Markdown, LaTeX or CSV cell.
 */
import { describe, expect, it } from 'vitest';
import { configDiff } from '../../src/engine/report/config_diff';
import { efficiencySeries, methodFamily, renderTable, resultsTable, type RunResult } from '../../src/engine/report/results_table';
import { DEFAULT_RECIPE } from '../../src/engine/train/run_config';
import { readTask } from '../../src/engine/train/task';

function result(name: string, method: string, percent: number, best: number, recipe: Partial<typeof DEFAULT_RECIPE> = {}): RunResult {
  const r = { ...DEFAULT_RECIPE, ...recipe };
  const { seed: _seed, ...rest } = r;
  return { name, method, task: { kind: 'code-search' }, recipe: r, groupKey: JSON.stringify({ method, rest }), trainable: { exact: Math.round(percent * 1e4), paper: 0, base: 1e6, percentExact: percent, percentPaper: 0 }, metric: 'mrr', best };
}

describe('results table', () => {
  it('names method families without sizes or layer ranges', () => {
    expect(['LoRA-64', 'Adapter-FFN-384', 'Prefix-10', 'Full FT', 'LoRA-64 + Adapter-FFN-384 (layers 9–12)', 'Telly-4'].map(methodFamily)).toEqual(['LoRA', 'Adapter-FFN', 'Prefix', 'Full FT', 'LoRA + Adapter-FFN', 'Telly']);
  });

  it('plots each family through its sizes, sorted by trainable share, for one metric', () => {
    const rows = resultsTable([
      result('a', 'LoRA-128', 1.5, 0.3),
      result('b', 'LoRA-32', 0.4, 0.26, { seed: 2 }),
      result('c', 'LoRA-32', 0.4, 0.28, { seed: 3 }),
      result('d', 'Adapter-H-64', 1.2, 0.22),
    ]);
    const series = efficiencySeries(rows, 'mrr');
    expect([...series.keys()]).toEqual(['LoRA', 'Adapter-H']);
    const lora = series.get('LoRA')!;
    expect(lora.map((p) => p.method)).toEqual(['LoRA-32', 'LoRA-128']);
    expect(lora[0]!.mean).toBeCloseTo(0.27, 12);
    expect(lora[0]!.std).toBeCloseTo(0.01, 12);
    expect(efficiencySeries(rows, 'accuracy').size).toBe(0);
  });

  it("names the settings that set rows apart, without the query tower's for a classification run", () => {
    const search = result('s', 'Full FT', 100, 0.1, { lr: 2e-3, nlLength: 16 });
    const cls: RunResult = { ...result('c', 'LoRA-8', 2.5, 0.8, { lr: 1e-5, nlLength: 128 }), task: readTask({ kind: 'classification', label: 'y' }, 'task', []) };
    const [a, b] = resultsTable([search, cls]);
    expect(a!.note).toBe('lr=0.002, nlLength=16');
    expect(b!.note).toBe('classification of y, lr=0.00001');
  });

  it('escapes what would break a cell: | in Markdown, & % _ in LaTeX, quotes and formulas in CSV', () => {
    const rows = resultsTable([result('r', 'A|B & 50%_x', 1, 0.5), result('s', '=cmd', 2, 0.4, { lr: 2e-5 })]);
    expect(renderTable(rows, 'markdown')).toContain('| A\\|B & 50%_x |');
    expect(renderTable(rows, 'latex')).toContain('A|B \\& 50\\%\\_x');
    expect(renderTable(rows, 'csv')).toContain("\n'=cmd,");
  });
});

describe('configuration diff', () => {
  it('keeps only the leaves where the runs differ, by path, with absent ones marked', () => {
    const a = { model: 'm', peft: { methods: [{ type: 'lora', r: 8, targets: ['query', 'value'] }] }, recipe: { lr: 1e-4, seed: 1 } };
    const b = { model: 'm', peft: { methods: [{ type: 'lora', r: 16, targets: ['query', 'value'] }] }, recipe: { lr: 1e-4, seed: 2 } };
    const c = { model: 'm', peft: { methods: [{ type: 'adapter', size: 64 }] }, recipe: { lr: 1e-3, seed: 1 } };
    expect(configDiff([a, b])).toEqual([
      { path: 'peft.methods[0].r', values: ['8', '16'] },
      { path: 'recipe.seed', values: ['1', '2'] },
    ]);
    expect(configDiff([a, c]).map((r) => r.path)).toEqual(['peft.methods[0].type', 'peft.methods[0].r', 'peft.methods[0].targets', 'recipe.lr', 'peft.methods[0].size']);
    expect(configDiff([a, c])[2]).toEqual({ path: 'peft.methods[0].targets', values: ['["query","value"]', '—'] });
    expect(configDiff([a, a])).toEqual([]);
  });
});
