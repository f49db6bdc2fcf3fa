/**
 * The in-browser benchmark (issue 16): the Device panel's quick check runs the CLI's suite in the Worker on
 * Chromium's WebGPU (SwiftShader here), shows the step per method and evaluation, downloads the report — the same
 * JSON schema as `npm run bench -- --json` (keys checked against a CLI report made in this test) — and the Train
 * panel's time estimate for a run uses it.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { runBench } from '../../src/bench/run';
import { openLabPage, type Lab } from './browser';
import { loadDemoAndData } from './lab_page';

/** Keys of an object and, one level down, of its object values: the report's shape without its numbers. */
function shape(value: Record<string, unknown>): string[] {
  return Object.entries(value).flatMap(([k, v]) => [k, ...(v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v).map((c) => `${k}.${c}`) : [])]).sort();
}

describe('benchmark in the browser', () => {
  let lab: Lab;
  let page: Page;
  let errors: string[] = [];
  beforeAll(async () => {
    ({ lab, page, errors } = await openLabPage());
  }, 120_000);
  afterAll(async () => {
    await lab?.close();
  });

  it('runs the quick suite, shows and downloads the CLI-schema report, and estimates a run with it', async () => {
    await page.goto(lab.url);
    await page.getByTestId('benchmark-quick').click();
    await page.getByTestId('benchmark-table').waitFor({ timeout: 400_000 });
    const rows = await page.getByTestId('benchmark-row').evaluateAll((trs) => trs.map((tr) => tr.querySelector('td')?.textContent ?? ''));
    expect(rows).toEqual(['full', 'lora', 'adapter-h', 'adapter-ffn', 'prefix', 'loff', 'bitfit', 'telly', 'lwo']);
    expect(await page.getByTestId('benchmark-eval').textContent()).toMatch(/Evaluation: [\d.]+ sequences\/s/);
    await page.getByTestId('benchmark').screenshot({ path: 'test-results/benchmark.png' });

    const dir = mkdtempSync(join(tmpdir(), 'lab-bench-e2e-'));
    const download = page.waitForEvent('download');
    await page.getByTestId('benchmark-download').click();
    const file = join(dir, 'browser.json');
    await (await download).saveAs(file);
    const browser = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> & { environment: { node: unknown; browser: unknown }; steps: Record<string, unknown>[] };
    // The CLI's report, made by the same code `npm run bench -- --json` runs (through Dawn in this process).
    const node = JSON.parse(JSON.stringify(await runBench({ quick: true, softwareGpu: true, methods: ['lora'], sections: ['steps', 'eval'], steps: 2, warmup: 1 }))) as Record<string, unknown> & { steps: Record<string, unknown>[] };
    expect(browser.schema).toBe('webgpu-lab-bench/1');
    expect(shape(browser)).toEqual(shape(node));
    expect(Object.keys(browser.steps[0]!).sort()).toEqual(Object.keys(node.steps[0]!).sort());
    expect(browser.environment.node).toBeNull();
    expect(browser.environment.browser).toMatch(/Chrome/);

    await loadDemoAndData(page);
    await expect.poll(() => page.getByTestId('time-estimate').textContent(), { timeout: 30_000 }).toMatch(/^about [\d.]+ (ms|s|min|h) \([\d.]+ (ms|s|min|h) a step, from the benchmark\)$/);
    expect(errors).toEqual([]);
  });
});
