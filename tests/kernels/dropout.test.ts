import { describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/engine/gpu/runtime';
import { dropout, type DropoutSite } from '../../src/engine/kernels/dropout';
import { dropoutBackward } from '../../src/engine/kernels/dropout_backward';
import * as ref from '../../src/reference/dropout';
import { expectClose } from '../helpers/compare';
import { testRuntime } from '../helpers/gpu';
import { dot, expectGradients } from '../helpers/gradcheck';
import { f64, randn, Rng } from '../helpers/random';

// The mask must be bit-exact (rng twins, same f32 threshold) and the kept values are one f32 multiply by the
// same f32 scale on both sides, so GPU and reference agree exactly.
const EXACT = { atol: 0, rtol: 0 };

function site(rt: Runtime, seed: number, stream = 0): DropoutSite {
  const uniform = rt.uniform(1, 'seed');
  rt.write(uniform, Uint32Array.of(seed));
  return { seed: uniform, stream };
}

function fractionNonzero(a: Float32Array): number {
  let kept = 0;
  for (const v of a) if (v !== 0) kept++;
  return kept / a.length;
}

describe('dropout (reference)', () => {
  it('backward matches finite differences at a fixed seed', () => {
    const rng = new Rng(2);
    const [n, p, seed] = [23, 0.3, 1234];
    const x = f64(randn(rng, n));
    const w = f64(randn(rng, n));
    const out = new Float64Array(n);
    const loss = (): number => (ref.dropout(out, x, seed, p, n, 5), dot(out, w));
    const dx = new Float64Array(n);
    ref.dropoutBackward(dx, w, seed, p, n, 5);
    expect(dx.some((v) => v === 0) && dx.some((v) => v !== 0)).toBe(true); // the mask both drops and keeps
    expectGradients('dropout', loss, [{ name: 'x', value: x, grad: dx }]);
  });

  it('rejects p outside [0, 1)', () => {
    expect(() => ref.dropoutConstants(1)).toThrow(RangeError);
    expect(() => ref.dropoutConstants(-0.1)).toThrow(RangeError);
  });
});

describe('dropout (GPU)', () => {
  // 1, primes, one past a workgroup; p from small to large; stream 0 and a nonzero stream.
  it.each([
    [1, 0.1, 0],
    [13, 0.5, 0],
    [257, 0.1, 3],
    [1031, 0.9, 7],
  ])('forward and backward match the reference exactly, n=%i p=%f stream=%i', async (n, p, stream) => {
    const rt = await testRuntime();
    const rng = new Rng(n);
    const x = randn(rng, n);
    const dout = randn(rng, n);
    const s = site(rt, 0xdeadbeef + n, stream);
    const [out, dx] = [rt.tensor([n], 'out'), rt.tensor([n], 'dx')];
    const launches = [dropout(rt, out, rt.tensorFrom(x, [n], 'x'), s, p), dropoutBackward(rt, dx, rt.tensorFrom(dout, [n], 'dout'), s, p)];
    const [gotOut, gotDx] = await rt.run(launches, [out, dx]);
    const [wantOut, wantDx] = [new Float32Array(n), new Float32Array(n)];
    ref.dropout(wantOut, x, 0xdeadbeef + n, p, n, stream);
    ref.dropoutBackward(wantDx, dout, 0xdeadbeef + n, p, n, stream);
    expectClose(gotOut!, wantOut, EXACT, 'dropout');
    expectClose(gotDx!, wantDx, EXACT, 'dropout_backward');
  });

  it('backward accumulates into dx when asked (a branch gradient joining another)', async () => {
    const rt = await testRuntime();
    const n = 300;
    const rng = new Rng(99);
    const dout = randn(rng, n);
    const prior = randn(rng, n);
    const s = site(rt, 1234, 2);
    const dx = rt.tensorFrom(prior, [n], 'dx');
    const [got] = await rt.run([dropoutBackward(rt, dx, rt.tensorFrom(dout, [n], 'dout'), s, 0.3, { accumulate: true })], [dx]);
    const want = new Float32Array(n);
    ref.dropoutBackward(want, dout, 1234, 0.3, n, 2);
    for (let i = 0; i < n; i++) want[i] = Math.fround(want[i]! + prior[i]!);
    expectClose(got!, want, EXACT, 'dropout_backward accumulate');
  });

  // Kept count ~ Binomial(N, 1 − p): its fraction has sd sqrt(p(1 − p)/N) ≤ 4.9e-4 at N = 2^20, and the mean
  // of the output (kept fraction × scale, expected 1: inverted dropout preserves the mean) has sd
  // sqrt(p/((1 − p)N)) ≤ 9.8e-4. 6 sd bounds fail a sound RNG for about 2e-9 of seeds, while a wrong threshold,
  // a stuck mask or a wrong scale is off by far more.
  it.each([0.1, 0.5])('keeps about 1 − p of a large tensor and preserves the mean, p=%f', async (p) => {
    const rt = await testRuntime();
    const n = 1 << 20;
    const out = rt.tensor([n], 'out');
    const [got] = await rt.run([dropout(rt, out, rt.tensorFrom(new Float32Array(n).fill(1), [n], 'ones'), site(rt, 99), p)], [out]);
    const sd = Math.sqrt((p * (1 - p)) / n);
    expect(Math.abs(fractionNonzero(got!) - (1 - p))).toBeLessThan(6 * sd);
    const scale = ref.dropoutConstants(p).SCALE;
    expect(got!.every((v) => v === 0 || v === scale)).toBe(true);
    const mean = got!.reduce((acc, v) => acc + v, 0) / n;
    expect(Math.abs(mean - 1)).toBeLessThan(6 * Math.sqrt(p / ((1 - p) * n)));
  });

  it('p = 0 is the identity', async () => {
    const rt = await testRuntime();
    const n = 515;
    const x = randn(new Rng(4), n);
    const out = rt.tensor([n], 'out');
    const [got] = await rt.run([dropout(rt, out, rt.tensorFrom(x, [n], 'x'), site(rt, 17), 0)], [out]);
    expectClose(got!, x, EXACT, 'dropout p=0');
  });

  // Masks from independent seeds (or streams) disagree on a fraction 2p(1 − p) = 0.5 of elements at p = 0.5;
  // at n = 4096 its sd is 0.0078, so 0.05 is a 6 sd bound. The record is built once; only the uniform changes.
  it('a new seed or stream draws a new mask without rebuilding the dispatch record', async () => {
    const rt = await testRuntime();
    const [n, p] = [4096, 0.5];
    const x = new Float32Array(n).fill(1);
    const xT = rt.tensorFrom(x, [n], 'x');
    const s = site(rt, 1);
    const [out, outStream] = [rt.tensor([n], 'out'), rt.tensor([n], 'outStream')];
    const launches = [dropout(rt, out, xT, s, p), dropout(rt, outStream, xT, { seed: s.seed, stream: 1 }, p)];
    const masks: Float32Array[] = [];
    for (const seed of [1, 2]) {
      rt.write(s.seed, Uint32Array.of(seed));
      const [got, gotStream] = await rt.run(launches, [out, outStream]);
      const want = new Float32Array(n);
      ref.dropout(want, x, seed, p, n);
      expectClose(got!, want, EXACT, `dropout seed ${seed}`);
      masks.push(got!, gotStream!);
    }
    const differ = (a: Float32Array, b: Float32Array): number => a.filter((v, i) => v !== b[i]).length / n;
    expect(Math.abs(differ(masks[0]!, masks[2]!) - 0.5)).toBeLessThan(0.05); // seed 1 vs seed 2
    expect(Math.abs(differ(masks[0]!, masks[1]!) - 0.5)).toBeLessThan(0.05); // stream 0 vs stream 1
  });

  it('covers a tensor that needs the 2-D grid (more than 65535 workgroups)', async () => {
    const rt = await testRuntime();
    const n = 256 * 65535 + 3;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = (i % 7) + 1; // never 0, so every drop shows (a loop: .from with a map is slow)
    const out = rt.tensor([n], 'out');
    const [got] = await rt.run([dropout(rt, out, rt.tensorFrom(x, [n], 'x'), site(rt, 7), 0.25)], [out]);
    const want = new Float32Array(n);
    ref.dropout(want, x, 7, 0.25, n);
    expectClose(got!, want, EXACT, 'dropout 2-D grid');
    expect(rt.isLost).toBe(false);
  });
});
