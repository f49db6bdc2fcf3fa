/**
 * From the browser to a cluster and back: a 2-step run of the demo model in the dashboard is downloaded as a
 * PyTorch project (the runs table's "PyTorch" action), the project's train.py runs with the real transformers +
 * peft + accelerate, and its metrics.jsonl + run_config.json come back through "Import a cluster run" as a
 * run beside the browser's, with its steps and MRR. The run's sentence-transformers download loads in
 * SentenceTransformer (no missing or unexpected keys) and encodes like `lab embed` with the run's adapter
 * download, within 1e-5.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSafeTensors } from '../../src/engine/io/safetensors';
import { expectClose } from '../helpers/compare';
import { labOk } from '../helpers/lab_cli';
import { python, reference } from '../helpers/pyref';
import { startLab, type Lab } from './browser';
import { loadDemoAndData, SAMPLE_TRAIN, SAMPLE_VALID, waitForRuns } from './lab_page';

describe('cluster runs in the dashboard', () => {
  let lab: Lab;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    lab = await startLab({ production: true });
    page = await lab.browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e) => errors.push(e.message));
  });
  afterAll(async () => {
    await lab?.close();
  });

  it('exports a run as a PyTorch project that trains, and imports its metrics as a run', async () => {
    await page.goto(lab.url);
    await loadDemoAndData(page);
    await expect.poll(() => page.getByTestId('blockers').count()).toBe(0);
    await page.getByTestId('start').click();
    await waitForRuns(page, 'done', 1, 90_000);

    const dir = mkdtempSync(join(tmpdir(), 'lab-cluster-'));
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: /Export run .* as a PyTorch project/ }).click();
    const zipPath = join(dir, (await download).suggestedFilename());
    await (await download).saveAs(zipPath);
    expect(zipPath).toMatch(/lab-project-run\.zip$/);
    for (const [name, bytes] of Object.entries(unzipSync(new Uint8Array(readFileSync(zipPath))))) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), bytes);
    }
    const project = join(dir, 'lab-project');
    const data = JSON.parse(readFileSync(join(project, 'data.json'), 'utf8')) as { train: string; valid: string | null };
    expect(data).toMatchObject({ train: 'train.jsonl', valid: 'valid.jsonl' });
    for (const f of ['train.py', 'lab_methods.py', 'lab_data.py', 'run_config.json', 'README.md']) expect(existsSync(join(project, f)), f).toBe(true);
    copyFileSync(SAMPLE_TRAIN, join(project, 'train.jsonl'));
    copyFileSync(SAMPLE_VALID, join(project, 'valid.jsonl'));
    python('train.py', ['--model', join(process.cwd(), 'public/demo/model'), '--max-steps', '1'], project);

    // One of the two files, or a file that is not a run's: a message, and nothing added.
    await page.getByTestId('import-run').setInputFiles([join(project, 'out', 'metrics.jsonl')]);
    await expect.poll(() => page.getByText(/Choose both files of the run/).count()).toBe(1);
    await page.getByTestId('import-run').setInputFiles([SAMPLE_TRAIN, join(project, 'run_config.json')]);
    await expect.poll(() => page.getByText(/Could not import the run: metrics\.jsonl holds no events/).count()).toBe(1);
    expect(await page.getByTestId('run-row').count()).toBe(1);
    await page.getByTestId('import-run').setInputFiles([join(project, 'out', 'metrics.jsonl'), join(project, 'out', 'run_config.json')]);
    await expect.poll(() => page.getByTestId('run-row').count(), { timeout: 10_000 }).toBe(2);
    const imported = page.getByTestId('run-row').filter({ hasText: 'cluster · seed' });
    await expect.poll(() => imported.locator('.status').textContent()).toBe('stopped'); // 1 of 2 steps: --max-steps
    expect(await imported.getByTestId('best-mrr').textContent()).toMatch(/\d/);
    expect(await page.getByText(/Imported a run of 1 steps, best MRR/).count()).toBe(1);
    await page.screenshot({ path: join(dir, 'runs.png') });
    expect(errors).toEqual([]);
  });

  it("downloads the run as a sentence-transformers folder that encodes like the lab with the run's adapter", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-st-'));
    const saved: string[] = [];
    page.on('download', (d) => {
      const path = join(dir, d.suggestedFilename());
      void d.saveAs(path).then(() => saved.push(path));
    });
    await page.getByRole('button', { name: 'Best', exact: true }).click();
    await expect.poll(() => saved.length, { timeout: 10_000 }).toBe(2);
    await page.getByRole('button', { name: 'sentence-transformers', exact: true }).click();
    await expect.poll(() => saved.length, { timeout: 10_000 }).toBe(3);
    const zip = saved.find((p) => p.endsWith('.zip'))!;
    const entries = Object.entries(unzipSync(new Uint8Array(readFileSync(zip))));
    for (const [name, bytes] of entries) {
      mkdirSync(dirname(join(dir, 'st', name)), { recursive: true });
      writeFileSync(join(dir, 'st', name), bytes);
    }
    const stDir = join(dir, 'st', entries.find(([n]) => n.endsWith('/modules.json'))![0].replace(/\/modules\.json$/, ''));
    // The adapter download as a folder the CLI reads: the files without the run-name prefix.
    const adapter = join(dir, 'adapter');
    mkdirSync(adapter);
    for (const p of saved.filter((x) => !x.endsWith('.zip'))) copyFileSync(p, join(adapter, p.replace(/^.*-(adapter_[a-z_]+\.[a-z]+)$/, '$1')));
    const pairs = join(dir, 'pairs.jsonl');
    writeFileSync(pairs, readFileSync(SAMPLE_VALID, 'utf8').split('\n').slice(0, 24).join('\n'));
    const lengths = ['--code-length', '32', '--nl-length', '16'];
    reference('embed', '--model', stDir, '--sentence-transformers', '--data', pairs, ...lengths, '--out', join(dir, 'st.safetensors'));
    await labOk('embed', '--model', 'public/demo/model', '--adapter', adapter, '--data', pairs, ...lengths, '--out', join(dir, 'lab.safetensors'), '--software-gpu');
    const read = (p: string) => readSafeTensors(new Uint8Array(readFileSync(p)), p).tensors;
    const [st, lab] = [read(join(dir, 'st.safetensors')), read(join(dir, 'lab.safetensors'))];
    expectClose(lab.get('code')!.data as Float32Array, st.get('code')!.data as Float32Array, { atol: 1e-5, rtol: 0 }, 'code');
    expectClose(lab.get('query')!.data as Float32Array, st.get('query')!.data as Float32Array, { atol: 1e-5, rtol: 0 }, 'query');
    expect(errors).toEqual([]);
  });
});
