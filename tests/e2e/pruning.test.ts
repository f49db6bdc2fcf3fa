/**
 * A lottery-ticket schedule from the dashboard (issue 15's "from the dashboard"), in Chromium on SwiftShader: the
 * demo model, full fine-tuning, the Pruning schedule card switched on (3 rounds of 10%), two seeds; the
 * Compression panel draws validation MRR against sparsity with the seeds as one series (mean ± std) and lists
 * the rounds at 0, 10, 19 and 27.1% sparsity; the share link carries the schedule.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { decodeShareHash } from '../../src/app/lib/share';
import { readSafeTensors } from '../../src/engine/io/safetensors';
import { labOk } from '../helpers/lab_cli';
import { openLabPage, type Lab } from './browser';
import { loadDemoAndData, waitForRuns } from './lab_page';

describe('pruning schedule in the page', () => {
  let lab: Lab;
  let page: Page;
  let errors: string[] = [];
  beforeAll(async () => {
    ({ lab, page, errors } = await openLabPage());
  }, 120_000);
  afterAll(async () => {
    await lab?.close();
  });

  it('runs 3 rounds of 10% twice and charts MRR against sparsity, seeds as mean ± std', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(lab.url);
    await loadDemoAndData(page);
    await page.getByTestId('method-preset').selectOption('full');
    await page.getByTestId('recipe-evalEvery').fill('1');
    await page.getByTestId('pruning-on').check();
    expect(await page.getByTestId('pruning-rounds').inputValue()).toBe('3');
    expect(await page.getByTestId('pruning-amount').inputValue()).toBe('0.1');
    expect(await page.getByTestId('pruning-panel').textContent()).toContain('the last at 27.1% of the prunable weights pruned.');
    // A problem is named before anything runs: picking best needs evaluations during a round.
    await page.getByTestId('recipe-evalEvery').fill('0');
    await page.getByTestId('pruning-pick').selectOption('best');
    await expect.poll(() => page.getByTestId('train-panel').textContent()).toContain('picking the best weights needs evaluations');
    await page.getByTestId('recipe-evalEvery').fill('1');
    await page.getByTestId('pruning-panel').screenshot({ path: 'test-results/pruning-panel.png' });

    await page.getByTestId('start').click();
    await waitForRuns(page, 'done', 1, 300_000);
    await page.getByTestId('recipe-seed').fill('7');
    await page.getByTestId('start').click();
    await waitForRuns(page, 'done', 2, 300_000);

    const chart = page.getByTestId('sparsity-chart');
    await chart.waitFor();
    await expect.poll(() => chart.locator('.recharts-line-dot, .recharts-dot').count()).toBe(4);
    const rows = page.getByTestId('round-row');
    expect(await rows.count()).toBe(4);
    const cells = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    expect(cells.map((c) => [c[1], c[2], c[4]])).toEqual([['0', '0.00', '2'], ['1', '10.00', '2'], ['2', '19.00', '2'], ['3', '27.10', '2']]);
    expect(cells.every((c) => /^\d+\.\d\d ± \d+\.\d\d$/.test(c[3]!))).toBe(true);
    expect(cells[0]![0]).toContain('3×10% L1 global, best');
    expect(await chart.textContent()).toContain('(2 seeds)');
    await page.mouse.move(0, 0); // no tooltip in the picture
    await page.getByTestId('compression-panel').screenshot({ path: 'test-results/compression-panel.png' });

    await page.getByTestId('share').click();
    const link = await page.getByTestId('share-link').inputValue();
    const shared = decodeShareHash(new URL(link).hash);
    expect(shared?.ok && (shared.json as { pruning?: unknown }).pruning).toMatchObject({ rounds: 3, amount: 0.1, pick: 'best' });
    expect(errors).toEqual([]);
  });

  it("tables a pruned run's MRR and size at f32, fp16 and int8 (weight-only and dynamic)", async () => {
    const panel = page.getByTestId('precision-panel');
    const options = await page.getByTestId('precision-source').locator('option').allTextContents();
    expect(options.length).toBe(3); // the model and the two schedule runs
    await page.getByTestId('precision-source').selectOption({ index: 2 });
    await page.getByTestId('precision-run').click();
    await page.getByTestId('precision-table').waitFor({ timeout: 120_000 });
    const rows = await page.getByTestId('precision-row').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    expect(rows.map((r) => `${r[0]} / ${r[1]}`)).toEqual(['float32 / float32', 'float16 / float32', 'int8 (per tensor) / float32', 'int8 (per tensor) / int8 (dynamic)', 'int8 (per channel) / float32', 'int8 (per channel) / int8 (dynamic)']);
    expect(rows.every((r) => /^\d+\.\d\d$/.test(r[2]!))).toBe(true);
    expect(await page.getByTestId('precision-summary').textContent()).toMatch(/on 8 validation pairs/);
    await page.mouse.move(0, 0);
    await panel.screenshot({ path: 'test-results/precision-panel.png' });
    expect(errors).toEqual([]);
  });

  it("draws a CLI schedule's rounds once its metrics.jsonl and run_config.json are imported", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-schedule-import-'));
    const config = { model: 'demo', dataset: 'train.jsonl', peft: { methods: [{ type: 'full' }] }, recipe: { steps: 10, evalEvery: 5 }, pruning: { rounds: 2, amount: 0.2, scope: 'per-tensor' } };
    const trainable = { exact: 10, paper: 10, base: 10, percentExact: 100, percentPaper: 100 };
    const events = [{ type: 'start', total_steps: 30, steps_per_epoch: 100, examples: 1000, trainable }];
    [0.3, 0.28, 0.2].forEach((mrr, round) => {
      const at = 10 * (round + 1);
      events.push({ type: 'eval', step: at, mrr, recall_1: 0.1, recall_5: 0.3, recall_10: 0.5, n: 100, best: true } as never);
      events.push({ type: 'prune-round', round, sparsity: 1 - 0.8 ** round, pruned: 5, steps: 10, stopped_early: false, picked_step: at, metric: 'mrr', value: mrr } as never);
    });
    events.push({ type: 'done', steps: 30, best_step: 30, best_mrr: 0.2, elapsed_ms: 1000, stopped: false } as never);
    writeFileSync(join(dir, 'metrics.jsonl'), events.map((e) => JSON.stringify(e)).join('\n'));
    writeFileSync(join(dir, 'run_config.json'), JSON.stringify(config));
    await page.getByTestId('import-run').setInputFiles([join(dir, 'metrics.jsonl'), join(dir, 'run_config.json')]);
    await expect.poll(() => page.getByTestId('round-row').count(), { timeout: 20_000 }).toBe(7);
    const cells = await page.getByTestId('round-row').evaluateAll((trs) => trs.slice(4).map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    expect(cells.map((c) => [c[1], c[2], c[3]])).toEqual([['0', '0.00', '30.00'], ['1', '20.00', '28.00'], ['2', '36.00', '20.00']]);
    expect(cells[0]![0]).toContain('2×20% L1 per-tensor, last');
    await expect.poll(() => page.getByTestId('sparsity-chart').locator('.recharts-line-dot, .recharts-dot').count()).toBe(7);
    expect(errors).toEqual([]);
  });

  it('keeps a dropped pruned model\'s zeros through a run and downloads its masks with the weights', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-pruned-drop-'));
    const pruned = join(dir, 'pruned');
    await labOk('prune', '--model', 'public/demo/model', '--amount', '0.3', '--out', pruned);
    await page.getByLabel('Choose model files…').setInputFiles(['config.json', 'vocab.json', 'merges.txt', 'model.safetensors', 'pruning_masks.safetensors'].map((f) => join(pruned, f)));
    await expect.poll(() => page.getByTestId('model-pruned').count(), { timeout: 30_000 }).toBe(1);
    expect(await page.getByTestId('model-pruned').textContent()).toContain('Pruned: 30.00% of the prunable weights are zero');
    await page.getByTestId('pruning-on').uncheck();
    const before = await page.locator('[data-testid="run-row"] .status.done').count();
    await page.getByTestId('start').click();
    await waitForRuns(page, 'done', before + 1, 300_000);
    const saved: string[] = [];
    page.on('download', (d) => {
      const path = join(dir, d.suggestedFilename());
      void d.saveAs(path).then(() => saved.push(path));
    });
    await page.getByTestId('train-panel').getByRole('button', { name: 'Final', exact: true }).click();
    await expect.poll(() => saved.some((p) => p.endsWith('pruning_masks.safetensors')) && saved.some((p) => p.endsWith('model.safetensors')), { timeout: 20_000 }).toBe(true);
    const read = (path: string) => readSafeTensors(new Uint8Array(readFileSync(path))).tensors;
    const masks = read(saved.find((p) => p.endsWith('pruning_masks.safetensors'))!);
    const original = read(join(pruned, 'pruning_masks.safetensors'));
    const weights = read(saved.find((p) => p.endsWith('model.safetensors'))!);
    const start = read(join(pruned, 'model.safetensors'));
    expect([...masks.keys()].sort()).toEqual([...original.keys()].sort());
    let moved = 0;
    for (const [name, m] of masks) {
      expect([...m.data], name).toEqual([...original.get(name)!.data]);
      const w = weights.get(name)!.data;
      m.data.forEach((keep, i) => (keep === 0 ? expect(w[i], `${name}[${i}]`).toBe(0) : (moved += w[i] !== start.get(name)!.data[i] ? 1 : 0)));
    }
    expect(moved).toBeGreaterThan(0); // full fine-tuning moved the kept weights; the pruned ones stayed 0
    expect(errors).toEqual([]);
  });
});
