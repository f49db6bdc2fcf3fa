/**
 * Runs that survive, in Chromium (issue 12): a run interrupted by a reload, and a run whose GPU device is
 * destroyed mid-run, both continue with "Resume" from their OPFS checkpoint and finish with exactly the losses
 * of an uninterrupted run of the same configuration (same seed, dropout on, same SwiftShader device). The
 * reload also brings the workspace back — model, dropped shards, data roles — without the user dropping
 * anything again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openLabPage, type Lab } from './browser';
import { loadDemoAndData, setQuickRecipe, waitForRuns } from './lab_page';

const STEPS = 12;

interface StoredRun {
  readonly name: string;
  readonly createdAt: number;
  readonly status: string;
  readonly checkpointStep?: number | null;
  readonly losses: number[];
  readonly steps: number[];
  readonly evalSteps: number[];
}

/** Every stored run with its curves, oldest first, read from the page's IndexedDB. */
function storedRuns(page: Page): Promise<StoredRun[]> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('webgpu-finetuning-lab');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const all = <T,>(store: string) =>
      new Promise<T[]>((resolve) => {
        const req = db.transaction(store).objectStore(store).getAll();
        req.onsuccess = () => resolve(req.result as T[]);
      });
    type Run = { id: string; name: string; createdAt: number; status: string; checkpointStep?: number | null };
    type Curves = { id: string; step: number[]; loss: number[]; evals: { step: number }[] };
    const [runs, curves] = await Promise.all([all<Run>('runs'), all<Curves>('curves')]);
    db.close();
    return runs
      .sort((a, b) => a.createdAt - b.createdAt)
      .map((r) => {
        const c = curves.find((x) => x.id === r.id);
        return { name: r.name, createdAt: r.createdAt, status: r.status, checkpointStep: r.checkpointStep, losses: c?.loss ?? [], steps: c?.step ?? [], evalSteps: c?.evals.map((e) => e.step) ?? [] };
      });
  });
}

async function readoutStep(page: Page): Promise<number> {
  const text = (await page.getByTestId('live-readout').textContent().catch(() => '')) ?? '';
  return Number(/Step (\d+)/.exec(text)?.[1] ?? 0);
}

describe('resume in the browser', () => {
  let lab: Lab;
  let page: Page;
  let errors: string[] = [];
  let whole: StoredRun;
  beforeAll(async () => {
    ({ lab, page, errors } = await openLabPage());
  }, 120_000);

  afterAll(async () => {
    await lab?.close();
  });

  it('trains the reference run uninterrupted, saving checkpoints as it goes', async () => {
    await page.goto(lab.url);
    await page.getByTestId('device-panel').waitFor({ timeout: 60_000 });
    await loadDemoAndData(page);
    await setQuickRecipe(page, STEPS, 4);
    await page.getByTestId('checkpoint-every').fill('2');
    await page.getByTestId('start').click();
    await waitForRuns(page, 'done', 1);
    await expect.poll(async () => (await storedRuns(page))[0]?.status, { timeout: 10_000 }).toBe('done');
    whole = (await storedRuns(page))[0]!;
    expect(whole.steps).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
    expect(whole.checkpointStep).toBeNull(); // a finished run keeps no checkpoint
  }, 400_000);

  it('a reload mid-run restores the workspace, says the run was interrupted, and Resume finishes it with the uninterrupted losses', async () => {
    await page.getByTestId('start').click();
    // Past a checkpoint (every 2 steps), before the end.
    await expect.poll(() => readoutStep(page), { timeout: 120_000, interval: 100 }).toBeGreaterThanOrEqual(5);
    await page.reload();
    await page.getByTestId('interrupted').waitFor({ timeout: 60_000 });
    // The workspace came back: the model and both dropped shards, without dropping anything again.
    await page.getByTestId('model-summary').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('shard-summary').count(), { timeout: 30_000 }).toBe(2);
    const before = (await storedRuns(page))[1]!;
    expect(before.status).toBe('interrupted');
    expect(before.checkpointStep).toBeGreaterThanOrEqual(4);
    expect(await page.getByTestId('interrupted').textContent()).toContain(`saved at step ${before.checkpointStep}`);
    await page.getByTestId('resume-interrupted').click();
    await waitForRuns(page, 'done', 2);
    await expect.poll(async () => (await storedRuns(page))[1]?.status, { timeout: 10_000 }).toBe('done');
    const resumed = (await storedRuns(page))[1]!;
    expect(resumed.steps).toEqual(whole.steps); // cut back to the checkpoint, then continued: no step twice
    expect(resumed.losses).toEqual(whole.losses);
    expect(resumed.evalSteps).toEqual(whole.evalSteps);
    expect(await page.getByTestId('interrupted').count()).toBe(0);
    expect(errors).toEqual([]);
  }, 400_000);

  it('a GPU device destroyed mid-run fails the run with what to do, and Resume continues on a new device to the same losses', async () => {
    const worker = page.workers()[0]!;
    // Every device the Worker asks for from now on is remembered, so the test can destroy the run's own.
    await worker.evaluate(() => {
      const w = self as unknown as { __devices: GPUDevice[] };
      w.__devices = [];
      const request = GPUAdapter.prototype.requestDevice;
      GPUAdapter.prototype.requestDevice = async function (this: GPUAdapter, descriptor?: GPUDeviceDescriptor) {
        const device = await request.call(this, descriptor);
        w.__devices.push(device);
        return device;
      };
    });
    await page.getByTestId('start').click();
    await expect.poll(() => readoutStep(page), { timeout: 120_000, interval: 100 }).toBeGreaterThanOrEqual(5);
    await worker.evaluate(() => (self as unknown as { __devices: GPUDevice[] }).__devices.at(-1)!.destroy());
    await waitForRuns(page, 'error', 1, 60_000);
    const failure = (await page.getByTestId('run-failure').textContent()) ?? '';
    expect(failure).toMatch(/GPU device lost/);
    expect(failure).toMatch(/Press Resume in the runs table: the run continues from its checkpoint at step \d+ on a new GPU device/);
    await page.getByTestId('resume-run').click();
    await waitForRuns(page, 'done', 3);
    await expect.poll(async () => (await storedRuns(page))[2]?.status, { timeout: 10_000 }).toBe('done');
    const resumed = (await storedRuns(page))[2]!;
    expect(resumed.steps).toEqual(whole.steps);
    expect(resumed.losses).toEqual(whole.losses);
    expect(await worker.evaluate(() => (self as unknown as { __devices: GPUDevice[] }).__devices.length)).toBe(2); // Resume asked for a new one
    expect(errors).toEqual([]);
  }, 400_000);

  it('refuses a run that needs more than the memory budget before it starts, naming what fits', async () => {
    await page.getByTestId('memory-budget').fill('0.001');
    await expect.poll(() => page.getByTestId('memory-warning').allTextContents(), { timeout: 10_000 }).toContainEqual(expect.stringMatching(/more than the memory budget of 1 MiB: lower the batch size/));
    const runs = await page.getByTestId('run-row').count();
    await page.getByTestId('start').click();
    await waitForRuns(page, 'error', 1, 60_000);
    const failure = (await page.getByTestId('run-failure').textContent()) ?? '';
    expect(failure).toMatch(/more than the memory budget of 1 MiB/);
    expect(failure).toMatch(/batch size|nothing fits/i); // what would fit, or that nothing does
    expect(await page.getByTestId('run-row').count()).toBe(runs + 1);
    expect((await storedRuns(page)).at(-1)!.steps).toEqual([]); // refused before a single step
    await page.getByTestId('memory-budget').fill('');
    await expect.poll(() => page.getByTestId('memory-warning').count()).toBe(0);
  });

  it('keeps the queue across a reload: queued runs wait for "Start the queue"; deleting a run deletes its checkpoint', async () => {
    await page.getByTestId('start').click();
    await page.getByTestId('start').click(); // "Queue another run"
    await expect.poll(() => readoutStep(page), { timeout: 120_000, interval: 100 }).toBeGreaterThanOrEqual(3);
    await page.reload();
    await page.getByTestId('interrupted').waitFor({ timeout: 60_000 });
    await page.getByTestId('model-summary').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('interrupted').textContent()).toMatch(/1 queued run waits/);
    await page.waitForTimeout(1000);
    expect(await page.locator('[data-testid="run-row"] .status.running').count()).toBe(0); // nothing started by itself
    await page.getByTestId('start-queue').click();
    await waitForRuns(page, 'done', 4);
    const interrupted = page.locator('[data-testid="run-row"]', { has: page.locator('.status.interrupted') });
    expect(await interrupted.count()).toBe(1);
    await interrupted.getByRole('button', { name: /^Delete run/ }).click();
    await expect.poll(() => page.locator('[data-testid="run-row"] .status.interrupted').count()).toBe(0);
    expect(errors).toEqual([]);
  }, 400_000);

  it('shows what is kept and frees it', async () => {
    await page.getByTestId('storage-panel').scrollIntoViewIfNeeded();
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => page.getByTestId('storage-facts').textContent(), { timeout: 10_000 }).toMatch(/Shards\s*(?!0 B)[\d.]+ \w+/);
    // Finished runs leave no checkpoint behind.
    expect(await page.getByTestId('storage-checkpoints').textContent()).toMatch(/^0 /);
    await page.getByRole('button', { name: 'Forget stored model and shards' }).click();
    await expect.poll(() => page.getByTestId('storage-facts').textContent(), { timeout: 10_000 }).toMatch(/Shards\s*0 B/);
  });
});
