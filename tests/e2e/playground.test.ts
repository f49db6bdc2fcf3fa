/**
 * The code-search playground in Chromium (issue 14): after a short run on the demo model and the sample shards,
 * a validation query searched with the model and, beside it, with the run — the top codes of the validation pool
 * with scores, and the rank of the query's own code (gold) for each; a second query answers from the cached pool.
 * Then the per-example analysis: every query's gold rank under both, the "fixed by B" filter and its CSV.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openLabPage, type Lab } from './browser';
import { loadDemoAndData, waitForRuns } from './lab_page';

describe('the code-search playground', () => {
  let lab: Lab;
  let page: Page;
  let errors: string[] = [];
  beforeAll(async () => {
    ({ lab, page, errors } = await openLabPage());
  }, 120_000);
  afterAll(async () => {
    await lab?.close();
  });

  it('ranks the validation pool for a query with two models side by side, with the gold code rank', async () => {
    await page.goto(lab.url);
    await loadDemoAndData(page); // 8 validation pairs: the pool
    await page.getByTestId('start').click();
    await waitForRuns(page, 'done', 1);
    const panel = page.getByTestId('playground');
    await panel.scrollIntoViewIfNeeded();
    await page.getByTestId('playground-other').selectOption({ index: 2 }); // the run, beside the model
    await page.getByTestId('playground-query').fill('Convert a snake case name to camel case .'); // the first validation pair's query
    await page.getByTestId('playground-search').click();
    await expect.poll(() => page.getByTestId('playground-side').count(), { timeout: 60_000 }).toBe(2);
    const headings = await page.getByTestId('playground-side').locator('h4').allTextContents();
    expect(headings[0]).toMatch(/^The model · gold code at rank [1-8] of 8$/);
    expect(headings[1]).toMatch(/^LoRA-64 · seed 123456 · gold code at rank [1-8] of 8$/);
    expect(await page.getByTestId('playground-side').first().getByTestId('playground-hit').count()).toBe(5);
    expect(await page.getByTestId('playground-hit').first().textContent()).toMatch(/^score -?\d+\.\d{3}/);

    // Another query: the pool is already embedded for both models.
    await page.getByTestId('playground-query').fill('read a file');
    await page.getByTestId('playground-search').click();
    await expect.poll(async () => (await page.getByTestId('playground-side').locator('h4').allTextContents()).join('|'), { timeout: 30_000 }).toBe('The model|LoRA-64 · seed 123456');
    await panel.screenshot({ path: 'test-results/playground.png' });

    // Per-example analysis: every validation query's gold rank under the model (A) and the run (B), filtered.
    const examples = page.getByTestId('per-example');
    await examples.scrollIntoViewIfNeeded();
    await page.getByTestId('examples-b').selectOption({ index: 1 });
    await page.getByTestId('examples-rank').click();
    await page.getByTestId('examples-summary').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('examples-summary').textContent()).toMatch(/^8 of 8 queries · mean code \d+\.\d tokens/);
    const rows = async (): Promise<string[][]> => (await page.getByTestId('example-row').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''))));
    const all = await rows();
    expect(all).toHaveLength(8);
    await page.getByTestId('examples-k').fill('3');
    await page.getByTestId('examples-filter').selectOption('b-not-a');
    const fixed = all.filter((r) => Number(r[3]) <= 3 && Number(r[2]) > 3).map((r) => r[0]);
    await expect.poll(async () => (await rows()).map((r) => r[0])).toEqual(fixed);
    const download = page.waitForEvent('download');
    await page.getByTestId('examples-csv').click();
    const csv = readFileSync((await (await download).path())!, 'utf8').trim().split('\n');
    expect(csv).toHaveLength(fixed.length + 1);
    expect(csv[0]).toMatch(/^index,query,code_tokens,query_tokens,lines,rank model,rank LoRA-64 · seed 123456,code$/);
    await examples.screenshot({ path: 'test-results/per-example.png' });

    // The attention view: the model and the run side by side, and their difference; then the <s> row.
    const view = page.getByTestId('attention-view');
    await view.scrollIntoViewIfNeeded();
    await page.getByTestId('attention-b').selectOption({ index: 2 });
    await page.getByTestId('attention-show').click();
    await page.getByTestId('attention-summary').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('attention-summary').textContent()).toMatch(/^Layer 1, head 1: \d+ tokens; rows attend to columns/);
    expect(await page.getByTestId('attention-map').count()).toBe(2);
    expect(await page.getByTestId('attention-diff').count()).toBe(1);
    await view.screenshot({ path: 'test-results/attention.png' });
    await page.getByTestId('attention-mode').selectOption('cls');
    const cls = await page.getByTestId('attention-cls').locator('tbody tr').allTextContents();
    expect(cls.length).toBeGreaterThan(3);
    expect(cls[0]).toMatch(/^"<s>"|^".*"[\d.]+/);
    expect(errors).toEqual([]);
  }, 300_000);
});
