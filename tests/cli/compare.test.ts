/**
 * `lab compare` on run folders as train --out writes them (run_config.json + metrics.jsonl): seeds of one
 * configuration become one row with mean ± std, the note names the recipe fields that differ between rows, and
 * the Markdown, LaTeX and CSV forms hold the same numbers (LaTeX escaped, CSV unrounded).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RECIPE } from '../../src/engine/train/run_config';
import { lab, labOk } from '../helpers/lab_cli';

let dir = '';
const lora = { methods: [{ type: 'lora', r: 8, alpha: 32, dropout: 0, targets: ['query', 'value'], rslora: false, layers: null }], layers: null, trainPooler: false };
const adapter = { methods: [{ type: 'adapter', placement: 'ffn', size: 64, activation: 'gelu', layers: null }], layers: null, trainPooler: false };

function run(name: string, peft: unknown, recipe: Record<string, unknown>, mrrs: number[], trainable: number): string {
  const path = join(dir, name);
  mkdirSync(path);
  writeFileSync(join(path, 'run_config.json'), JSON.stringify({ model: 'microsoft/codebert-base', dataset: 'train.jsonl', peft, recipe: { ...DEFAULT_RECIPE, ...recipe } }));
  const events = [
    { type: 'start', total_steps: 10, steps_per_epoch: 10, examples: 160, trainable: { exact: trainable, paper: trainable, base: 124645632, percentExact: (100 * trainable) / 124645632, percentPaper: 0 } },
    ...mrrs.map((mrr, i) => ({ type: 'eval', step: 5 * (i + 1), mrr, recall_1: mrr / 2, recall_5: mrr, recall_10: mrr, n: 100, best: true })),
    { type: 'done', steps: 10, best_step: 10, best_mrr: Math.max(...mrrs), elapsed_ms: 1000, stopped: false },
  ];
  writeFileSync(join(path, 'metrics.jsonl'), `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
  return path;
}

let runs: string[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lab-compare-'));
  runs = [
    run('lora_s1', lora, { seed: 1, lr: 1e-4 }, [0.2, 0.3], 589824),
    run('lora_s2', lora, { seed: 2, lr: 1e-4 }, [0.34, 0.32], 589824),
    run('adapter', adapter, { seed: 1, lr: 1e-3 }, [0.25], 1189632),
  ];
});

describe('lab compare', () => {
  it('groups seeds as mean ± std and notes what sets rows apart (Markdown)', async () => {
    const r = await labOk('compare', ...runs, '--format', 'markdown');
    expect(r.stdout).toBe(
      [
        '| Method | Note | #Params | % | Metric | Valid (%) | Runs |',
        '| --- | --- | --- | --- | --- | --- | --- |',
        '| LoRA-8 | lr=0.0001 | 589,824 | 0.47 | MRR | 32.00 ± 2.00 | 2 |',
        '| Adapter-FFN-64 | lr=0.001 | 1,189,632 | 0.95 | MRR | 25.00 | 1 |',
        '',
      ].join('\n'),
    );
  });

  it('writes LaTeX (escaped, booktabs) and CSV (unrounded) to --out', async () => {
    const tex = join(dir, 'table.tex');
    await labOk('compare', ...runs, '--format', 'latex', '--out', tex);
    const latex = readFileSync(tex, 'utf8');
    expect(latex).toContain('\\toprule');
    expect(latex).toContain('Method & Note & \\#Params & \\% & Metric & Valid (\\%) & Runs \\\\');
    expect(latex).toContain('LoRA-8 & lr=0.0001 & 589,824 & 0.47 & MRR & 32.00 $\\pm$ 2.00 & 2 \\\\');
    const csv = (await labOk('compare', ...runs, '--format', 'csv')).stdout.trim().split('\n');
    expect(csv[0]).toBe('method,note,params,percent,metric,mean,std,seeds,runs');
    expect(csv[1]).toBe('LoRA-8,lr=0.0001,589824,0.4732,mrr,0.320000,0.020000,2,lora_s1 lora_s2');
  });

  it('refuses a folder that is not a run, and no folders at all, with a message', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const a = await lab('compare', runs[0]!, empty);
    expect(a.code).not.toBe(0);
    expect(a.stderr).toMatch(/empty has no run_config\.json: give a run's output folder/);
    const b = await lab('compare');
    expect(b.stderr).toMatch(/compare: give one or more run folders/);
  });
});
