/**
 * Telly's layer analysis in the dashboard (issue 13): on the demo model and the bundled probing sample (real
 * standard-library functions), the probe accuracy per layer; after a short LoRA run, the run's probes beside
 * the model's and each layer's CKA — 1.0000 for the embeddings, which LoRA (query, value) does not touch.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openLabPage, type Lab } from './browser';
import { loadDemoAndData, waitForRuns } from './lab_page';

describe('layer analysis in the page', () => {
  let lab: Lab;
  let page: Page;
  let errors: string[] = [];
  beforeAll(async () => {
    ({ lab, page, errors } = await openLabPage());
  }, 120_000);
  afterAll(async () => {
    await lab?.close();
  });

  it('probes every layer of the model, then compares a run: probes side by side and CKA per layer', async () => {
    await page.goto(lab.url);
    await loadDemoAndData(page);
    const panel = page.getByTestId('layer-analysis');
    await panel.getByLabel('Tokens per example').fill('24');
    await panel.getByLabel('Examples (at most)').fill('80');
    await page.getByTestId('analyze-layers').click();
    await page.getByTestId('layer-study').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('layer-study').textContent()).toMatch(/“syntactic_returns” on 80 examples \(0 ×\d+, 1 ×\d+\); 25% held out; mean over tokens\. Majority class: \d+\.\d%/);
    const rows = () => page.getByTestId('layer-study-table').locator('tbody tr').allTextContents();
    expect(await page.getByTestId('layer-study-table').locator('tbody td:first-child').allTextContents()).toEqual(['emb', '1', '2']);
    await page.getByTestId('chart-probe').waitFor();

    await page.getByTestId('recipe-steps').fill('4');
    await page.getByTestId('recipe-evalEvery').fill('0');
    await page.getByTestId('recipe-lr').fill('0.05'); // a large step, so 4 steps visibly move the top layer
    await page.getByTestId('start').click();
    await waitForRuns(page, 'done', 1);
    await page.getByTestId('layer-run').selectOption({ index: 1 });
    await page.getByTestId('analyze-layers').click();
    await page.getByTestId('chart-cka').waitFor({ timeout: 120_000 });
    const table = await rows();
    expect(table).toHaveLength(3);
    expect(table[0]).toMatch(/^emb.*1\.0000$/); // the embeddings: unchanged by LoRA
    const cka = await page.getByTestId('layer-study-table').locator('tbody td:last-child').allTextContents();
    expect(Number(cka[2])).toBeLessThan(1); // the top layer: changed by the run
    const download = page.waitForEvent('download');
    await page.getByTestId('layer-study-json').click();
    const json = JSON.parse(readFileSync((await (await download).path())!, 'utf8')) as { data: string; label: string; pooling: string; classes: string[]; run: string; layers: { layer: number; cka: number }[] };
    expect(json).toMatchObject({ data: 'sample/probe.jsonl', label: 'syntactic_returns', pooling: 'mean', classes: ['0', '1'] });
    expect(json.run).toMatch(/^LoRA-64/);
    expect(json.layers.map((l) => l.layer)).toEqual([0, 1, 2]);
    expect(json.layers[0]!.cka).toBeCloseTo(1, 10);
    await page.getByTestId('layer-analysis').scrollIntoViewIfNeeded();
    await page.mouse.move(0, 0);
    await page.screenshot({ path: 'test-results/layer-analysis.png' });
    expect(errors).toEqual([]);
  }, 400_000);
});
