/**
 * `npm run bench:peer` — the lab's evaluation forward beside onnxruntime-web's WebGPU execution provider
 * (peer.html), in Chromium: the demo model exported to ONNX (tools/pyref/export_onnx.py), one batch of code
 * (BENCH_PEER_BATCH, default 16) at BENCH_PEER_LENGTH tokens (default 128), outputs compared first, then each
 * side timed BENCH_PEER_REPS times (default 10). Prints the result and writes bench-results/peer.json; asserts
 * nothing about speed (BENCHMARKS.md records the ratio and the device).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { openLabPage } from '../tests/e2e/browser';
import { python } from '../tests/helpers/pyref';

const BATCH = Number(process.env.BENCH_PEER_BATCH ?? 16);
const LENGTH = Number(process.env.BENCH_PEER_LENGTH ?? 128);
const REPS = Number(process.env.BENCH_PEER_REPS ?? 10);

it('times the lab and onnxruntime-web on the same batch in one page', async () => {
  const onnx = join(mkdtempSync(join(tmpdir(), 'lab-peer-bench-')), 'demo.onnx');
  python('tools/pyref/export_onnx.py', ['public/demo/model', onnx]);
  const { lab, page } = await openLabPage();
  try {
    await page.goto(new URL(`peer.html?batch=${BATCH}&length=${LENGTH}&reps=${REPS}`, lab.url).href);
    await page.getByTestId('peer-onnx').setInputFiles(onnx);
    await page.waitForFunction(() => ['done', 'mismatch', 'error'].includes((window as unknown as { __peer?: { status: string } }).__peer?.status ?? ''), undefined, { timeout: 1_800_000, polling: 1000 });
    const result = (await page.evaluate(() => (window as unknown as { __peer: unknown }).__peer)) as Record<string, unknown>;
    mkdirSync('bench-results', { recursive: true });
    writeFileSync('bench-results/peer.json', `${JSON.stringify({ date: new Date().toISOString(), ...result }, null, 2)}\n`);
    process.stdout.write(`peer: ${JSON.stringify({ status: result.status, batch: result.batch, length: result.length, maxAbsDiff: result.maxAbsDiff, labMs: result.labMs, ortMs: result.ortMs, ratio: result.ratio, adapter: result.adapter, ort: result.ort })}\n`);
    expect(result.status).toBe('done');
  } finally {
    await lab.close();
  }
});
