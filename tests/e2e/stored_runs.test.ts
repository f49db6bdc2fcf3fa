/**
 * Damaged run records in IndexedDB (issue 12 problem 6): `{id: 'x'}` or `config: null` used to blank the page
 * on every reload. Now the page draws, says how many stored runs were set aside, shows the good ones, and keeps
 * the bad ones in a quarantine store (nothing of the user's is deleted).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openLabPage, type Lab } from './browser';

describe('stored runs in the page', () => {
  let lab: Lab;
  let page: Page;
  let errors: string[] = [];
  beforeAll(async () => {
    ({ lab, page, errors } = await openLabPage());
  }, 120_000);
  afterAll(async () => {
    await lab?.close();
  });

  it('sets damaged records aside and still draws the page with the good ones', async () => {
    await page.goto(lab.url);
    await page.getByTestId('device-panel').waitFor({ timeout: 60_000 });
    const good = {
      id: 'good-run',
      name: 'A stored run',
      createdAt: 1,
      config: { model: 'demo', dataset: 'sample', peft: { methods: [{ type: 'lora' }], layers: null, trainPooler: false }, recipe: {} },
      method: 'LoRA-8',
      color: 0,
      status: 'done',
      trainable: null,
      totalSteps: 4,
      steps: 4,
      elapsedMs: 10,
      peakBytes: 0,
      best: null,
      final: null,
      failure: null,
      sweep: null,
    };
    await page.evaluate(async (records) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open('webgpu-finetuning-lab');
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      await new Promise<void>((resolve) => {
        const tx = db.transaction('runs', 'readwrite');
        for (const rec of records) tx.objectStore('runs').put(rec);
        tx.oncomplete = () => resolve();
      });
      db.close();
    }, [good, { id: 'x' }, { ...good, id: 'y', config: null }]);
    await page.reload();
    await page.getByTestId('device-panel').waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId('notice').textContent(), { timeout: 10_000 }).toMatch(/2 stored run\(s\) could not be read .* set aside/);
    // The notice and the runs table come from the same load; the table may draw a frame later.
    await expect.poll(() => page.getByText('A stored run').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    const quarantined = await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve) => {
        const r = indexedDB.open('webgpu-finetuning-lab');
        r.onsuccess = () => resolve(r.result);
      });
      return new Promise<number>((resolve) => {
        const req = db.transaction('quarantine').objectStore('quarantine').count();
        req.onsuccess = () => resolve(req.result);
      });
    });
    expect(quarantined).toBe(2);
    expect(await page.getByTestId('draw-error').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
