import { describe, expect, it } from 'vitest';
import { pooling } from '../../src/engine/kernels/pooling';
import { poolingBackward } from '../../src/engine/kernels/pooling_backward';
import * as ref from '../../src/reference/pooling';
import type { PoolingMode } from '../../src/reference/pooling';
import { expectClose, type Tolerance } from '../helpers/compare';
import { testRuntime } from '../helpers/gpu';
import { dot, expectGradients } from '../helpers/gradcheck';
import { f64, randn, Rng } from '../helpers/random';

// cls is a copy and exact. The mean sums at most 16 rows in f32 against the reference's f64 sum, then
// divides; dh = dout / count differs only by the division's rounding.
const EXACT: Tolerance = { atol: 0, rtol: 0 };
const MEAN_TOL: Tolerance = { atol: 1e-6, rtol: 1e-6 };
const GRAD_TOL: Tolerance = { atol: 0, rtol: 1e-6 };

/**
 * (B, T) u32 mask: sequence b % 3 == 0 is full, b % 3 == 1 keeps a random non-contiguous subset (at least
 * one token), b % 3 == 2 has no tokens at all (pools to 0 in mean mode).
 */
function randomMask(rng: Rng, B: number, T: number): Uint32Array {
  const mask = new Uint32Array(B * T);
  for (let b = 0; b < B; b++) {
    const kind = b % 3;
    for (let t = 0; t < T; t++) mask[b * T + t] = kind === 0 ? 1 : kind === 1 ? (rng.next() < 0.5 ? 1 : 0) : 0;
    if (kind === 1) mask[b * T + rng.int(0, T)] = 1;
  }
  return mask;
}

describe('pooling', () => {
  it('reference matches hand-computed cls and masked mean, an empty sequence pooling to 0', () => {
    const [B, T, C] = [2, 3, 2];
    const h = Float64Array.of(1, 2, 3, 4, 5, 6, /* b=1 */ 7, 8, 9, 10, 11, 12);
    const mask = [1, 0, 1, 0, 0, 0];
    const out = new Float64Array(B * C);
    ref.pooling(out, h, mask, B, T, C, 'cls');
    expect(Array.from(out)).toEqual([1, 2, 7, 8]);
    ref.pooling(out, h, mask, B, T, C, 'mean');
    expect(Array.from(out)).toEqual([3, 4, 0, 0]);
    const dh = new Float64Array(B * T * C).fill(NaN);
    ref.poolingBackward(dh, Float64Array.of(2, 4, 6, 8), mask, B, T, C, 'mean');
    expect(Array.from(dh)).toEqual([1, 2, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0]);
  });

  it.each<PoolingMode>(['cls', 'mean'])('reference backward matches finite differences, mode=%s', (mode) => {
    const rng = new Rng(3);
    const [B, T, C] = [3, 4, 3];
    const mask = randomMask(rng, B, T);
    const h = f64(randn(rng, B * T * C));
    const w = f64(randn(rng, B * C));
    const out = new Float64Array(B * C);
    const loss = (): number => (ref.pooling(out, h, mask, B, T, C, mode), dot(out, w));
    const dh = new Float64Array(B * T * C).fill(NaN); // every element must be written
    ref.poolingBackward(dh, w, mask, B, T, C, mode);
    expectGradients(`pooling ${mode}`, loss, [{ name: 'h', value: h, grad: dh }]);
  });

  // (B, T, C): 1s, primes, C past the 256-wide workgroup and not a multiple of it, an empty sequence (b = 2).
  const shapes: [number, number, number][] = [[1, 1, 1], [2, 3, 5], [3, 16, 64], [4, 7, 257], [3, 13, 600]];
  const cases = shapes.flatMap(([B, T, C]) => (['cls', 'mean'] as const).map((mode) => ({ B, T, C, mode })));

  it.each(cases)('GPU forward and backward match the reference, B=$B T=$T C=$C mode=$mode', async ({ B, T, C, mode }) => {
    const rt = await testRuntime();
    const rng = new Rng(B * 7919 + T * 101 + C);
    const h = randn(rng, B * T * C);
    const mask = randomMask(rng, B, T);
    const dout = randn(rng, B * C);
    const t = {
      out: rt.tensorFrom(randn(rng, B * C), [B, C], 'out'), // garbage: the kernels must overwrite it all
      dh: rt.tensorFrom(randn(rng, B * T * C), [B * T, C], 'dh'),
      h: rt.tensorFrom(h, [B * T, C], 'h'),
      mask: rt.tensorFrom(mask, [B, T], 'mask'),
      dout: rt.tensorFrom(dout, [B, C], 'dout'),
    };
    const [out, dh] = await rt.run(
      [pooling(rt, t.out, t.h, t.mask, B, T, C, mode), poolingBackward(rt, t.dh, t.dout, t.mask, B, T, C, mode)],
      [t.out, t.dh],
    );
    const want = { out: new Float32Array(B * C), dh: new Float32Array(B * T * C) };
    ref.pooling(want.out, h, mask, B, T, C, mode);
    ref.poolingBackward(want.dh, dout, mask, B, T, C, mode);
    expectClose(out!, want.out, mode === 'cls' ? EXACT : MEAN_TOL, 'out');
    expectClose(dh!, want.dh, mode === 'cls' ? EXACT : GRAD_TOL, 'dh');
    rt.release(...Object.values(t));
    expect(rt.isLost).toBe(false);
  });

  it('launcher rejects an f32 mask', async () => {
    const rt = await testRuntime();
    const t = { out: rt.tensor([2, 3], 'out'), h: rt.tensor([4, 3], 'h'), mask: rt.tensor([2, 2], 'mask') };
    expect(() => pooling(rt, t.out, t.h, t.mask, 2, 2, 3, 'mean')).toThrow(/mask must be u32/);
    rt.release(...Object.values(t));
  });
});
