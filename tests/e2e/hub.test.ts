/**
 * The Hub download in the page, end to end in Chromium: the fake Hub (src/engine/hub/fake_hub.ts, a second
 * origin answering CORS) serves the demo model under a made-up id, the page points at it with ?hub=, downloads
 * it and loads it; after a reload the same id loads from the browser's cache with no request to the server;
 * an unknown id shows the not-found message with the local route. Also, in Node: the page's ?hub= parsing, the
 * progress line, and the memory plan with frozen weights in 16 bits.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeHub, type FakeHub } from '../../src/engine/hub/fake_hub';
import { PRESETS } from '../../src/engine/model/config';
import { LINEAR_SITES, linearShape } from '../../src/engine/model/params';
import { parseRunConfig } from '../../src/engine/train/run_config';
import { hubProgressText, parseHubEndpoint } from '../../src/app/lib/hub_endpoint';
import { planMemory } from '../../src/app/worker/plan_memory';
import { startLab, type Lab } from './browser';

const MODEL_ID = 'lab-test/tiny-roberta';
const MODEL_FILES = ['config.json', 'vocab.json', 'merges.txt', 'model.safetensors'];

describe('the Hub download in the page', () => {
  let hub: FakeHub;
  let lab: Lab;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const files = Object.fromEntries(MODEL_FILES.map((f) => [f, new Uint8Array(readFileSync(`public/sample/model/${f}`))]));
    hub = await startFakeHub([{ id: MODEL_ID, branches: { main: { commit: 'c0ffee0000000000000000000000000000000001', files } } }]);
    lab = await startLab({ production: true });
    page = await lab.browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.on('pageerror', (e) => errors.push(e.message));
  });
  afterAll(async () => {
    await lab?.close();
    await hub?.close();
  });

  async function download(id: string): Promise<void> {
    await page.getByTestId('hub-id').fill(id);
    await page.getByTestId('hub-download').click();
  }

  it('downloads a model by id from the ?hub= endpoint and loads it like a dropped folder', async () => {
    await page.goto(`${lab.url}?hub=${encodeURIComponent(hub.endpoint)}`);
    expect(await page.getByTestId('hub-endpoint').textContent()).toContain(hub.endpoint);
    expect(await page.getByTestId('hub-id').inputValue()).toBe('microsoft/codebert-base');
    await download(MODEL_ID);
    await expect.poll(() => page.getByTestId('model-summary').textContent(), { timeout: 30_000 }).toContain(`${MODEL_ID} — 2 layers, hidden 64`);
    expect(await page.getByTestId('hub-status').textContent()).toMatch(/^Downloaded lab-test\/tiny-roberta \([\d.]+ KiB\)/);
    // Every file was fetched once; the weights through the LFS-style redirect to the CDN path.
    const fetched = hub.requests.filter((r) => r.method === 'GET').map((r) => r.path);
    expect(fetched.filter((p) => p.includes('/resolve/')).length).toBe(4);
    expect(fetched.some((p) => p.startsWith(`/cdn/${MODEL_ID}/`) && p.endsWith('/model.safetensors'))).toBe(true);
    await expect.poll(() => page.getByTestId('cached-model').textContent()).toContain(MODEL_ID);
    await page.getByTestId('cached-models').locator('summary').click();
    await page.getByTestId('model-panel').screenshot({ path: 'test-results/hub-model-panel.png' });
    await page.getByTestId('cached-models').locator('summary').click();
  });

  it('loads it again after a reload from the browser cache, with no request to the Hub', async () => {
    const before = hub.requests.length;
    await page.reload();
    await download(MODEL_ID);
    await expect.poll(() => page.getByTestId('hub-status').textContent(), { timeout: 30_000 }).toContain('from the cache');
    expect(await page.getByTestId('hub-status').textContent()).toMatch(/^Loaded lab-test\/tiny-roberta from the cache \([\d.]+ KiB, nothing downloaded\)/);
    await expect.poll(() => page.getByTestId('model-summary').textContent(), { timeout: 30_000 }).toContain(MODEL_ID);
    expect(hub.requests.slice(before)).toEqual([]);
  });

  it('says plainly that an unknown id does not exist, and offers the local route', async () => {
    await download('lab-test/no-such-model');
    const error = page.getByTestId('hub-error');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.textContent()).toMatch(/^There is no model lab-test\/no-such-model on the Hub\..*drop the folder, or use the bundled demo model\.$/);
    // The model loaded before stays loaded.
    expect(await page.getByTestId('model-summary').textContent()).toContain(MODEL_ID);
  });

  it('removes a cached model from the list', async () => {
    await page.getByTestId('cached-models').locator('summary').click();
    await page.getByRole('button', { name: `Remove ${MODEL_ID} from the cache` }).click();
    await expect.poll(() => page.getByTestId('cached-model').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('cancels a download in flight, and a new Download finishes it', async () => {
    // Two dropped connections hold the download in its retry delays (1 s, then 2 s) long enough to cancel it.
    hub.faults.push({ kind: 'cut', file: 'model.safetensors', after: 1000 }, { kind: 'cut', file: 'model.safetensors', after: 1000 });
    await download(MODEL_ID);
    await page.getByTestId('hub-progress').waitFor();
    await page.getByTestId('hub-cancel').click();
    await expect.poll(() => page.getByTestId('hub-status').textContent()).toMatch(/^Cancelled\. .*Download again to resume/);
    expect(await page.getByTestId('hub-progress').count()).toBe(0);
    hub.faults.length = 0;
    await page.getByTestId('hub-download').click();
    await expect.poll(() => page.getByTestId('hub-status').textContent(), { timeout: 30_000 }).toMatch(/^Downloaded lab-test\/tiny-roberta/);
  });

  it('ignores a ?hub= that is not an http(s) URL and says so', async () => {
    await page.goto(`${lab.url}?hub=${encodeURIComponent('javascript:alert(1)')}`);
    expect(await page.getByTestId('hub-endpoint-error').textContent()).toContain('is not an http(s) URL');
    expect(await page.getByTestId('hub-endpoint').count()).toBe(0);
  });
});

describe('Hub helpers and the 16-bit frozen weights in the memory plan (Node)', () => {
  it('takes ?hub= only as an http(s) URL', () => {
    expect(parseHubEndpoint('')).toEqual({ endpoint: 'https://huggingface.co', overridden: false, error: null });
    expect(parseHubEndpoint('?hub=http%3A%2F%2F127.0.0.1%3A9%2Fmirror%2F')).toEqual({ endpoint: 'http://127.0.0.1:9/mirror', overridden: true, error: null });
    for (const bad of ['ftp://x', 'javascript:alert(1)', 'not a url', 'https://user:pw@host']) {
      const parsed = parseHubEndpoint(`?hub=${encodeURIComponent(bad)}`);
      expect([parsed.endpoint, parsed.overridden, parsed.error !== null]).toEqual(['https://huggingface.co', false, true]);
    }
  });

  it('writes the progress line with the file, bytes, speed and time left', () => {
    const p = { phase: 'downloading', modelId: 'm/x', file: 'pytorch_model.bin', fileIndex: 3, fileCount: 4, received: 120 * 2 ** 20, total: 476 * 2 ** 20, bytesPerSecond: 35 * 2 ** 20, secondsLeft: 9.8, fromCache: false } as const;
    expect(hubProgressText(p)).toBe('pytorch_model.bin (4 of 4) — 120 MiB of 476 MiB, 35.0 MiB/s, 10 s left');
    expect(hubProgressText({ ...p, fromCache: true })).toBe('pytorch_model.bin (4 of 4) — 120 MiB of 476 MiB, from the cache');
  });

  it('counts frozen linear weights (six per layer and the pooler) at 2 bytes when they are kept in 16 bits', async () => {
    const codebert = PRESETS['microsoft/codebert-base'];
    // The frozen-weights category of the plan the page shows (the Worker's plan-memory handler).
    const memory = async (frozenWeightsF16: boolean, peft: unknown) => {
      const c = parseRunConfig({ model: 'microsoft/codebert-base', dataset: 'd', peft, recipe: { frozenWeightsF16 } }, codebert);
      const answer = await planMemory({ type: 'plan-memory', id: 1, model: codebert, peft: c.peft, recipe: c.recipe, evalExamples: 0 });
      if (answer.type !== 'memory-plan') throw new Error(answer.message);
      return answer.plan.weights;
    };
    const layerLinears = LINEAR_SITES.reduce((n, s) => n + linearShape(codebert, s)[0] * linearShape(codebert, s)[1], 0);
    const lora = { methods: [{ type: 'lora', r: 8 }] };
    expect((await memory(false, lora)) - (await memory(true, lora))).toBe(2 * (codebert.layers * layerLinears + codebert.hidden * codebert.hidden));
    // Full fine-tuning freezes nothing: the option changes nothing.
    const full = { methods: [{ type: 'full' }] };
    expect(await memory(true, full)).toBe(await memory(false, full));
  });
});
