/**
 * The dashboard end to end in Chromium on SwiftShader: the demo model and the sample shard dropped through
 * the drop zone's file input, a short run with its loss curve and MRR, a long-task budget on the main thread
 * while it trains, the share link in a new page, the GPU memory from the engine's planner (and its warning
 * past the adapter's binding limit), the run after a reload, a seed sweep grouped as mean ± std,
 * a corrupted shard's skipped lines, and a run that fails with a plain message. Screenshots of the main
 * states go to test-results/.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/app/lib/format';
import { memoryWarnings } from '../../src/app/lib/memory_limits';
import { startLab, type Lab } from './browser';
import { CODEBERT, DEMO_MODEL, planOfPage, recordMemoryTexts, waitForPlannedBytes } from './memory_page';
import { SAMPLE_TRAIN, SAMPLE_VALID, setQuickRecipe, unlabelledControls, waitForRuns } from './lab_page';

const VIEWPORT = { width: 1360, height: 900 };

describe('the lab dashboard', () => {
  let lab: Lab;
  let page: Page;
  const errors: string[] = [];
  let shareLink = '';

  beforeAll(async () => {
    lab = await startLab({ production: true });
    page = await lab.browser.newPage({ viewport: VIEWPORT });
    page.on('pageerror', (e) => errors.push(e.message));
  });
  afterAll(async () => {
    await lab?.close();
  });

  it('opens with the demo one click away and every control labelled', async () => {
    await page.goto(lab.url);
    await page.getByTestId('device-panel').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('load-demo').isVisible()).toBe(true);
    expect(await page.getByText('pre-trained on Python').count()).toBeGreaterThan(0);
    expect(await unlabelledControls(page)).toEqual([]);
    await page.screenshot({ path: 'test-results/lab-empty.png', fullPage: true });
  });

  it("sets up the demo in one click: the pre-trained model, the real-code shards, the demo's run", async () => {
    const other = await lab.browser.newPage({ viewport: VIEWPORT });
    await other.goto(lab.url);
    await other.getByTestId('load-demo').click();
    await other.getByTestId('model-summary').waitFor({ timeout: 30_000 });
    await expect.poll(() => other.getByTestId('shard-summary').count(), { timeout: 30_000 }).toBe(2);
    expect(await other.getByTestId('shard-summary').first().textContent()).toContain('2,500');
    expect(await other.getByTestId('model-summary').textContent()).toContain('4,000');
    expect(await other.getByTestId('method-preset').inputValue()).toBe('full');
    expect(await other.getByTestId('recipe-steps').inputValue()).toBe('120');
    expect(await other.getByTestId('recipe-batchSize').inputValue()).toBe('16');
    await expect.poll(() => other.getByTestId('blockers').count()).toBe(0);
    await other.screenshot({ path: 'test-results/demo-loaded.png' });
    await other.close();
  });

  it('trains the demo model on the dropped sample shard: loss curve, MRR, curves by time and examples', async () => {
    await page.getByTestId('use-demo-model').click();
    await page.getByTestId('model-summary').waitFor({ timeout: 30_000 });
    await page.getByTestId('data-file-input').setInputFiles([SAMPLE_TRAIN, SAMPLE_VALID]);
    await expect.poll(() => page.getByTestId('shard-summary').count(), { timeout: 30_000 }).toBe(2);
    expect(await page.getByTestId('shard-summary').first().textContent()).toContain('2,000');
    await page.getByTestId('shard-stats').first().waitFor({ timeout: 30_000 });
    await setQuickRecipe(page, 4, 2);
    await page.getByTestId('valid-limit').fill('8');
    await expect.poll(() => page.getByTestId('blockers').count()).toBe(0);

    // How light the main thread stays while training is measured by `npm run bench:ui` (BENCHMARKS.md), not here.
    await page.getByTestId('start').click();
    await waitForRuns(page, 'done', 1);

    await expect.poll(() => page.locator('[data-testid="chart-loss"] .recharts-line-curve').count(), { timeout: 5_000 }).toBeGreaterThan(0);
    const mrr = await page.getByTestId('best-mrr').first().textContent();
    expect(Number(mrr)).toBeGreaterThan(0);
    await expect.poll(() => page.locator('[data-testid="chart-mrr"] .recharts-line-curve').count(), { timeout: 5_000 }).toBeGreaterThan(0);
    // The same curves by wall time, then by examples seen (4 steps of batch 4: the axis reaches 16, steps only 4).
    // x tick labels are centred under their tick (y labels end at the axis): src/app/features/curves/Chart.tsx.
    const xTicks = () => page.locator('[data-testid="chart-loss"] text[text-anchor="middle"]').allTextContents();
    await page.getByTestId('x-axis').selectOption('time');
    await expect.poll(async () => (await xTicks()).some((t) => / s$/.test(t)), { timeout: 5_000 }).toBe(true);
    await page.getByTestId('x-axis').selectOption('examples');
    await expect.poll(async () => Math.max(...(await xTicks()).map(Number)), { timeout: 5_000 }).toBeGreaterThanOrEqual(16);
    expect(await page.locator('[data-testid="chart-loss"] .recharts-line-curve').count()).toBeGreaterThan(0);
    await page.getByTestId('x-axis').selectOption('step');

    // The trained LoRA comes back from the Worker as peft's two files.
    const downloads: string[] = [];
    page.on('download', (d) => downloads.push(d.suggestedFilename()));
    await page.getByRole('button', { name: 'Best', exact: true }).click();
    await expect.poll(() => downloads.length, { timeout: 10_000 }).toBe(2);
    expect(downloads.sort()).toEqual(['LoRA-64_seed_123456-adapter_config.json', 'LoRA-64_seed_123456-adapter_model.safetensors']);
    expect(errors).toEqual([]);
  });

  it('shares the configuration: a new page restores it and names the dataset to drop', async () => {
    await page.getByTestId('share').click();
    shareLink = (await page.getByTestId('share-link').inputValue()) ?? '';
    expect(shareLink).toMatch(/#cfg=v1\.[A-Za-z0-9_-]+$/);
    const other = await lab.browser.newPage({ viewport: VIEWPORT });
    await other.goto(shareLink);
    const notice = other.getByTestId('shared-notice');
    await notice.waitFor({ timeout: 30_000 });
    expect(await notice.textContent()).toContain('train.jsonl (validation: valid.jsonl)');
    expect(await other.getByTestId('recipe-steps').inputValue()).toBe('4');
    expect(await other.getByTestId('recipe-batchSize').inputValue()).toBe('4');
    expect(await other.getByTestId('lora-r').inputValue()).toBe('64');
    expect(await other.getByTestId('method-lora').isChecked()).toBe(true);
    await other.close();
  });

  it("shows the engine planner's GPU memory for the configuration, planned again after an edit", async () => {
    const plan = await planOfPage(page, DEMO_MODEL, 8);
    await waitForPlannedBytes(page, plan.total);
    expect(await page.getByTestId('memory-estimate').textContent()).toBe(`${formatBytes(plan.total)} + ${formatBytes(plan.evaluation ?? NaN)} while evaluating`);
    const breakdown = page.getByTestId('memory-breakdown');
    await breakdown.locator('summary').click();
    expect(await breakdown.textContent()).toContain(`Largest single buffer: ${plan.largest.label}, ${formatBytes(plan.largest.bytes)}`);
    expect(await breakdown.textContent()).toContain(`Activations kept for backward (code + query towers): ${formatBytes(plan.activations)}`);
    await page.getByTestId('cost').screenshot({ path: 'test-results/lab-cost.png' });

    const texts = await recordMemoryTexts(page);
    await page.getByTestId('recipe-batchSize').fill('6');
    const larger = await planOfPage(page, DEMO_MODEL, 8);
    expect(larger.total).toBeGreaterThan(plan.total);
    await waitForPlannedBytes(page, larger.total);
    expect(await texts()).toContain('computing…');
    await page.getByTestId('recipe-batchSize').fill('4');
    await waitForPlannedBytes(page, plan.total);
  });

  it("warns when the planner's largest buffer exceeds the adapter's binding limit (codebert-base's shape, no model loaded)", async () => {
    const other = await lab.browser.newPage({ viewport: VIEWPORT });
    await other.goto(lab.url);
    await other.getByTestId('device-panel').waitFor({ timeout: 60_000 });
    await expect.poll(() => other.getByText('maxStorageBufferBindingSize').count(), { timeout: 30_000 }).toBe(1);
    const limitText = /maxStorageBufferBindingSize([\d,]+) MiB/.exec((await other.getByTestId('device-panel').textContent()) ?? '');
    const binding = Number(limitText?.[1]?.replace(/,/g, '')) * 2 ** 20;
    await other.getByTestId('recipe-batchSize').fill('512');
    await other.getByTestId('recipe-codeLength').fill('256');
    const plan = await planOfPage(other, CODEBERT, 0);
    expect(plan.largest.bytes).toBeGreaterThan(binding);
    await waitForPlannedBytes(other, plan.total);
    const warnings = await other.getByTestId('memory-warning').allTextContents();
    expect(warnings).toEqual(memoryWarnings(plan.largest, { maxStorageBufferBindingSize: binding }));
    expect(warnings[0]).toMatch(/lower the batch size or the sequence lengths\.$/);
    await other.getByTestId('memory-breakdown').locator('summary').click();
    await other.getByTestId('cost').screenshot({ path: 'test-results/lab-cost-warning.png' });
    await other.close();
  });

  it('turns a broken or hostile link into a message and a usable page, rendering values as text', async () => {
    const other = await lab.browser.newPage({ viewport: VIEWPORT });
    await other.goto(`${lab.url}#cfg=v1.not*base64`);
    expect(await other.getByTestId('share-error').textContent()).toContain('This share link is broken');
    const hostile = { model: 'demo', dataset: '<img src=x onerror="window.__pwned=1">', peft: { methods: [{ type: 'bitfit' }] }, recipe: {} };
    const b64 = Buffer.from(JSON.stringify(hostile)).toString('base64url');
    await other.goto(`${lab.url}#cfg=v1.${b64}`);
    await other.reload();
    const notice = other.getByTestId('shared-notice');
    await notice.waitFor();
    expect(await notice.textContent()).toContain('<img src=x');
    expect(await other.locator('[data-testid="shared-notice"] img').count()).toBe(0);
    expect(await other.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    const evil = { ...hostile, dataset: 'x', peft: { methods: [{ type: 'lora', targets: '(a+)+$' }] } };
    await other.goto(`${lab.url}#cfg=v1.${Buffer.from(JSON.stringify(evil)).toString('base64url')}`);
    await other.reload();
    expect(await other.getByTestId('share-error').textContent()).toContain('is a pattern');
    expect(await other.getByTestId('method-bitfit').isEnabled()).toBe(true);
    await other.close();
  });

  it('keeps the run and its curves across a reload', async () => {
    await page.reload();
    await page.getByTestId('runs-table').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('run-row').count()).toBe(1);
    expect(await page.getByTestId('run-row').first().textContent()).toContain('LoRA-64');
    expect(Number(await page.getByTestId('best-mrr').first().textContent())).toBeGreaterThan(0);
    await expect.poll(() => page.locator('[data-testid="chart-loss"] .recharts-line-curve').count()).toBeGreaterThan(0);

    // Hover readout: every run's value at the step under the pointer.
    await page.getByTestId('chart-loss').scrollIntoViewIfNeeded();
    const box = (await page.getByTestId('chart-loss').locator('svg').first().boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2);
    const readout = page.locator('.chart-readout');
    await readout.waitFor({ timeout: 5_000 });
    expect(await readout.textContent()).toMatch(/^step \d+\s*LoRA-64 · seed 123456: [\d.]+$/);

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Runs CSV' }).click();
    const csv = readFileSync((await (await download).path())!, 'utf8');
    expect(csv.split('\n')[0]).toContain('best_mrr');
    expect(csv).toContain('LoRA-64 · seed 123456');
  });

  it('runs a seed sweep and groups the seeds as mean ± std', async () => {
    // The reload above restored the workspace: the demo model and both shards are back without dropping them again.
    await page.getByTestId('model-summary').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('[data-testid="shard-summary"]').count(), { timeout: 30_000 }).toBe(2);
    await page.waitForTimeout(500);
    expect(await page.getByTestId('shard-summary').count()).toBe(2); // restored once, not twice
    await page.getByTestId('method-preset').selectOption('Adapter-FFN-64');
    await setQuickRecipe(page, 2, 0);
    await page.getByTestId('valid-limit').fill('8');
    await page.getByTestId('sweep-seeds').fill('1, 2');
    await page.getByTestId('queue-sweep').click();
    // The training screenshot is taken here, not while the main thread is timed: a full-page capture relayouts the page.
    await page.waitForFunction(() => /Step [1-9]/.test(document.querySelector('[data-testid="live-readout"]')?.textContent ?? ''), null, { timeout: 120_000 });
    await page.screenshot({ path: 'test-results/lab-training.png', fullPage: true });
    await waitForRuns(page, 'done', 3);
    expect(await page.getByTestId('group-row').textContent()).toMatch(/mean ± std over 2 of 2 seeds.*±/);
    // Sorting moves a group as one unit (its row, then its seeds): LoRA-64 trains about twice Adapter-FFN-64's share.
    const order = () => page.locator('[data-testid="runs-table"] tbody tr').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-testid')}:${r.textContent?.trim().split(' ')[0]}`));
    await page.getByRole('button', { name: /^Trainable/ }).click();
    await expect.poll(order).toEqual(['run-row:LoRA-64', 'group-row:Adapter-FFN-64', 'run-row:Adapter-FFN-64', 'run-row:Adapter-FFN-64']);
    await page.getByRole('button', { name: /^Trainable/ }).click();
    await expect.poll(order).toEqual(['group-row:Adapter-FFN-64', 'run-row:Adapter-FFN-64', 'run-row:Adapter-FFN-64', 'run-row:LoRA-64']);
    await page.screenshot({ path: 'test-results/lab-comparison.png', fullPage: true });
    // The thesis' table and Fig. 4.4: one row per configuration, each method family a line through its sizes.
    const families = (await page.getByTestId('efficiency-chart').locator('.legend li').allTextContents()).map((t) => t.trim());
    expect(families).toEqual(expect.arrayContaining(['LoRA', 'Adapter-FFN']));
    expect(await page.getByTestId('result-row').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/^Adapter-FFN-64.*MRR[\d.]+ ± [\d.]+2$/)]));
    // The sweep as parallel coordinates: a line per finished run through the settings that differ, then MRR.
    await expect.poll(() => page.getByTestId('sweep-line').count(), { timeout: 5_000 }).toBe(3);
    const axes = await page.getByTestId('sweep-coordinates').locator('svg > g > text[font-weight="600"]').allTextContents();
    expect(axes).toEqual(expect.arrayContaining(['method', 'seed', 'MRR']));
    // Point at the middle of the first line's first segment: a line's box centre may be off the line.
    await page.getByTestId('sweep-coordinates').scrollIntoViewIfNeeded();
    const svgBox = (await page.getByTestId('sweep-coordinates').locator('svg').boundingBox())!;
    const [p0, p1] = ((await page.getByTestId('sweep-line').first().getAttribute('points')) ?? '').split(' ').map((p) => p.split(',').map(Number));
    await page.mouse.move(svgBox.x + (p0![0]! + p1![0]!) / 2, svgBox.y + (p0![1]! + p1![1]!) / 2);
    await expect.poll(() => page.getByTestId('sweep-hover').count()).toBe(1);
    await page.getByTestId('results-panel').screenshot({ path: 'test-results/results-efficiency.png' });
    // The runs shown, compared: only the settings that differ.
    const diff = await page.getByTestId('config-diff').locator('[data-testid="diff-row"] code').allTextContents();
    expect(diff).toEqual(expect.arrayContaining(['recipe.seed', 'peft.methods[0].type']));
    expect(diff).not.toContain('model');
    await page.getByTestId('config-diff').screenshot({ path: 'test-results/config-diff.png' });
  });

  it('pauses, resumes and stops a run', async () => {
    await page.getByTestId('recipe-steps').fill('40');
    await page.getByTestId('start').click();
    const readout = page.getByTestId('live-readout');
    const stepNow = async (): Promise<number> => Number(/Step (\d+)/.exec((await readout.textContent()) ?? '')?.[1] ?? NaN);
    await expect.poll(stepNow, { timeout: 60_000 }).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Pause' }).click();
    // "Resume" appears once the Worker reports the loop waiting at its gate (a step in flight finishes first).
    await page.getByRole('button', { name: 'Resume' }).waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-testid="run-row"] .status.paused').count()).toBe(1);
    const paused = await stepNow();
    await page.waitForTimeout(1_500);
    expect(await stepNow()).toBe(paused);
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(stepNow, { timeout: 60_000 }).toBeGreaterThan(paused);
    await page.getByRole('button', { name: 'Stop' }).click();
    await waitForRuns(page, 'stopped', 1, 60_000);
  });

  it('loads a model from its files, and says what is missing from an incomplete folder', async () => {
    const input = page.getByLabel('Choose model files…');
    await input.setInputFiles(['public/sample/model/config.json', 'public/sample/model/vocab.json']);
    const error = page.getByTestId('model-error');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.textContent()).toMatch(/incomplete: the weights \(model\.safetensors or pytorch_model\.bin\) are missing/);
    await input.setInputFiles(['config.json', 'vocab.json', 'merges.txt', 'model.safetensors'].map((f) => `public/sample/model/${f}`));
    await expect.poll(() => page.getByTestId('model-error').count(), { timeout: 30_000 }).toBe(0);
    expect(await page.getByTestId('model-summary').textContent()).toContain('2 layers, hidden 64');
  });

  it('lists a corrupted shard\'s skipped lines and shows a failed run plainly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-e2e-'));
    const lines = readFileSync(SAMPLE_TRAIN, 'utf8').split('\n').slice(0, 6);
    lines[1] = lines[1]!.slice(0, 40);
    lines[3] = '{"code": 42}';
    const corrupted = join(dir, 'corrupted.jsonl');
    writeFileSync(corrupted, lines.join('\n'));
    const chooser = page.waitForEvent('filechooser');
    await page.getByTestId('data-dropzone').focus();
    await page.keyboard.press('Enter');
    await (await chooser).setFiles(corrupted);
    const skipped = page.getByTestId('skipped-lines');
    await skipped.waitFor({ timeout: 30_000 });
    expect(await skipped.textContent()).toMatch(/2 records skipped.*Line 2: .*Line 4: /s);

    await page.getByRole('button', { name: 'Train on this' }).last().click();
    await page.getByTestId('recipe-batchSize').fill('8');
    await page.getByTestId('start').click();
    const failure = page.getByTestId('run-failure');
    await failure.waitFor({ timeout: 60_000 });
    expect(await failure.textContent()).toMatch(/fewer than one batch of 8.*What to do/s);
    await page.screenshot({ path: 'test-results/lab-error.png', fullPage: true });
    const rows = await page.getByTestId('run-row').count();
    await page.getByRole('button', { name: /^Delete run .*\(2\)$/ }).click();
    await expect.poll(() => page.getByTestId('run-row').count()).toBe(rows - 1);
    expect(errors).toEqual([]);
  });
});
