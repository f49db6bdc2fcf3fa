/**
 * The peer beside the lab (issue 16): the demo model exported to ONNX by tools/pyref/export_onnx.py, run by
 * onnxruntime-web's WebGPU execution provider in peer.html next to the lab's evaluation forward on the same batch;
 * the embeddings agree within 1e-4 before anything is timed. Correctness only: the timings are for
 * `npm run bench:peer` and BENCHMARKS.md.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { python } from '../helpers/pyref';
import { openLabPage, type Lab } from './browser';

interface PeerResult {
  readonly status: string;
  readonly maxAbsDiff?: number;
  readonly labMs?: number;
  readonly ortMs?: number;
  readonly message?: string;
}

describe('onnxruntime-web beside the lab', () => {
  let lab: Lab;
  let page: Page;
  let errors: string[] = [];
  beforeAll(async () => {
    ({ lab, page, errors } = await openLabPage());
  }, 120_000);
  afterAll(async () => {
    await lab?.close();
  });

  it('gives the lab\'s embeddings of the same batch (1e-4) on its WebGPU execution provider', async () => {
    const onnx = join(mkdtempSync(join(tmpdir(), 'lab-peer-')), 'demo.onnx');
    python('tools/pyref/export_onnx.py', ['public/demo/model', onnx]);
    await page.goto(new URL('peer.html?batch=8&length=32&reps=2', lab.url).href);
    await page.getByTestId('peer-onnx').setInputFiles(onnx);
    await page.waitForFunction(() => ['done', 'mismatch', 'error'].includes((window as unknown as { __peer?: { status: string } }).__peer?.status ?? ''), undefined, { timeout: 180_000, polling: 500 });
    const result = (await page.evaluate(() => (window as unknown as { __peer: unknown }).__peer)) as PeerResult;
    expect(result.status, JSON.stringify(result)).toBe('done');
    expect(result.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    expect(result.labMs).toBeGreaterThan(0);
    expect(result.ortMs).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });
});
