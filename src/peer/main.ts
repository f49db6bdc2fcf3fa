/**
 * The peer benchmark page (peer.html): the lab's evaluation forward and onnxruntime-web's WebGPU execution provider
 * on the same demo weights, batch and lengths, in one page and run. Outputs are compared first (a mismatch is
 * reported and nothing is timed); then each side runs `reps` times after a warm-up, alternating, and the medians
 * and their ratio are shown and left in `window.__peer` (npm run bench:peer reads it; BENCHMARKS.md records it).
 */
import { labSide } from './lab_side';
import { ortSide } from './ort_side';

const params = new URLSearchParams(location.search);
const BATCH = Number(params.get('batch') ?? 16);
const LENGTH = Number(params.get('length') ?? 64);
const REPS = Number(params.get('reps') ?? 10);
/** Same weights, both float32: what separates them is summation order. */
const TOLERANCE = 1e-4;

const out = document.getElementById('out')!;
const show = (value: unknown): void => {
  out.textContent = JSON.stringify(value, null, 2);
  (window as unknown as { __peer: unknown }).__peer = value;
};

async function codes(n: number): Promise<string[]> {
  const text = await (await fetch(new URL('demo/test.jsonl', location.href))).text();
  return text.split('\n').filter((l) => l.trim()).slice(0, n).map((l) => (JSON.parse(l) as { code: string }).code);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function compare(onnx: Uint8Array): Promise<void> {
  show({ status: 'running', stage: 'the lab: demo model' });
  const lab = await labSide(await codes(BATCH), LENGTH);
  show({ status: 'running', stage: 'onnxruntime-web: session' });
  const ort = await ortSide(onnx, lab.ids, BATCH, LENGTH, 1);
  show({ status: 'running', stage: 'first embeddings' });
  const a = await lab.embed();
  show({ status: 'running', stage: 'first onnxruntime-web embeddings' });
  const b = await ort.embed();
  const maxDiff = a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
  const base = { batch: BATCH, length: LENGTH, hidden: lab.hidden, adapter: lab.adapter, ort: ort.version, userAgent: navigator.userAgent, maxAbsDiff: maxDiff, tolerance: TOLERANCE };
  if (!(maxDiff <= TOLERANCE) || a.length !== b.length) return show({ status: 'mismatch', ...base, sizes: [a.length, b.length] });
  const labMs: number[] = [];
  const ortMs: number[] = [];
  for (let i = 0; i < 2; i++) {
    await lab.embed();
    await ort.embed();
  }
  for (let i = 0; i < REPS; i++) {
    labMs.push(await timed(lab.embed));
    ortMs.push(await timed(ort.embed));
  }
  const [labMedian, ortMedian] = [median(labMs), median(ortMs)];
  show({ status: 'done', ...base, reps: REPS, labMs: labMedian, ortMs: ortMedian, ratio: labMedian / ortMedian, labRuns: labMs, ortRuns: ortMs });
}

document.getElementById('onnx')!.addEventListener('change', (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (!file) return;
  void file.arrayBuffer().then((bytes) => compare(new Uint8Array(bytes))).catch((error: unknown) => show({ status: 'error', message: error instanceof Error ? error.message : String(error) }));
});
