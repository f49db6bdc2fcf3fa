/**
 * Issue 4, item 6: trained weights go out as files and come back in. A 2-step LoRA run of the demo model is
 * downloaded, the page reloaded, the demo model loaded again and the two files chosen as its adapter: the
 * method panel takes the adapter's configuration, Evaluate ranks the validation pairs with it, and the next run
 * starts from it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from './browser';
import { loadDemoAndData, waitForRuns } from './lab_page';

describe('importing trained weights in the dashboard', () => {
  let lab: Lab;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    lab = await startLab({ production: true });
    page = await lab.browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
  });
  afterAll(async () => {
    await lab?.close();
  });

  it('resumes from a downloaded LoRA: its configuration in the method panel, Evaluate shows an MRR', async () => {
    await page.goto(lab.url);
    await loadDemoAndData(page);
    await page.getByTestId('lora-r').fill('8');
    await expect.poll(() => page.getByTestId('blockers').count()).toBe(0);
    await page.getByTestId('start').click();
    await waitForRuns(page, 'done', 1, 60_000);

    const dir = mkdtempSync(join(tmpdir(), 'lab-import-'));
    const saved: string[] = [];
    page.on('download', (d) => {
      const path = join(dir, d.suggestedFilename());
      void d.saveAs(path).then(() => saved.push(path));
    });
    await page.getByRole('button', { name: 'Final', exact: true }).click();
    await expect.poll(() => saved.length, { timeout: 10_000 }).toBe(2);

    await page.reload();
    // The reload restores the workspace (model, shards, the forms with r = 8): set another rank to see the import's.
    await page.getByTestId('model-summary').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('shard-summary').count(), { timeout: 30_000 }).toBe(2);
    expect(await page.getByTestId('lora-r').inputValue()).toBe('8');
    await page.getByTestId('lora-r').fill('16');
    const picker = page.getByLabel('Choose adapter files…');
    await picker.setInputFiles(saved.filter((p) => p.endsWith('.json')));
    expect(await page.getByTestId('adapter-error').textContent({ timeout: 10_000 })).toMatch(/no adapter_model\.safetensors/);

    await picker.setInputFiles(saved);
    await page.getByTestId('adapter-summary').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('adapter-summary').textContent()).toMatch(/Starting from \S+adapter_model\.safetensors/);
    expect(await page.getByTestId('adapter-error').count()).toBe(0);
    expect(await page.getByTestId('lora-r').inputValue()).toBe('8');

    await page.getByTestId('evaluate').click();
    await page.getByTestId('evaluation').waitFor({ timeout: 30_000 });
    const text = (await page.getByTestId('evaluation').textContent()) ?? '';
    expect(text).toMatch(/on 8 validation pairs: MRR \d+\.\d\d · recall@1 \d+\.\d\d · recall@5 \d+\.\d\d · recall@10 \d+\.\d\d/);

    // The next run trains the adapter's modules from its tensors (a mismatch would end it with an error).
    await page.getByTestId('start').click();
    await waitForRuns(page, 'done', 2, 60_000);
    expect(await page.getByTestId('run-failure').count()).toBe(0);

    await page.getByTestId('remove-adapter').click();
    expect(await page.getByTestId('adapter-summary').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
