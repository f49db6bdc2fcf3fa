/**
 * "Tune kernels for this GPU" in the device panel, in Chromium on SwiftShader: the demo model with tiny
 * shapes, the button, progress, the summary, the table in localStorage under the adapter's name (still there
 * after a reload), and "Clear tuning". Screenshot of the tuned panel: test-results/device-tuned.png.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from './browser';

/** Every stored tuning table, by localStorage key. */
function storedTunings(page: Page): Promise<Record<string, { tuning: { adapter: string; tiles: Record<string, string> } }>> {
  return page.evaluate(() =>
    Object.fromEntries(
      Object.keys(localStorage)
        .filter((k) => k.startsWith('lab.matmulTuning:'))
        .map((k) => [k, JSON.parse(localStorage.getItem(k) ?? 'null')]),
    ),
  );
}

describe('kernel tuning in the device panel', () => {
  let lab: Lab;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    lab = await startLab();
    page = await lab.browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
  });
  afterAll(async () => {
    await lab?.close();
  });

  it('tunes the demo configuration, shows the summary and keeps the table per adapter', async () => {
    await page.goto(lab.url);
    await page.getByTestId('device-panel').waitFor({ timeout: 60_000 });
    await page.getByTestId('use-demo-model').click();
    await page.getByTestId('model-summary').waitFor({ timeout: 30_000 });
    // SwiftShader times every tile for real: the smallest shapes that still have every kind of matmul.
    for (const [field, value] of [['batchSize', '2'], ['evalBatchSize', '2'], ['codeLength', '8'], ['nlLength', '8']] as const) {
      await page.getByTestId(`recipe-${field}`).fill(value);
    }
    await page.getByRole('button', { name: 'Tune kernels for this GPU' }).click();
    await page.getByTestId('tune-progress').waitFor({ timeout: 30_000 });
    const summary = page.getByTestId('tune-summary');
    await summary.waitFor({ timeout: 240_000 });
    expect(await summary.textContent()).toMatch(/matmul shapes/);
    await page.getByTestId('device-panel').screenshot({ path: 'test-results/device-tuned.png' });

    const stored = await storedTunings(page);
    expect(Object.keys(stored)).toHaveLength(1);
    const [key, saved] = Object.entries(stored)[0]!;
    expect(key).toBe(`lab.matmulTuning:${saved.tuning.adapter}`);
    expect(typeof saved.tuning.tiles).toBe('object');

    await page.reload();
    await page.getByTestId('tune-summary').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Clear tuning' }).click();
    expect(await page.getByTestId('tune-summary').count()).toBe(0);
    expect(await storedTunings(page)).toEqual({});
    expect(errors).toEqual([]);
  }, 400_000);
});
