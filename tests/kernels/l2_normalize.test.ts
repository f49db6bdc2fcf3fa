import { describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/engine/gpu/runtime';
import { l2Normalize, L2_NORMALIZE_EPS } from '../../src/engine/kernels/l2_normalize';
import { l2NormalizeBackward } from '../../src/engine/kernels/l2_normalize_backward';
import * as ref from '../../src/reference/l2_normalize';
import { expectClose, type Tolerance } from '../helpers/compare';
import { runtimesFor, testRuntime, testRuntimeWithout } from '../helpers/gpu';
import { dot, expectGradients } from '../helpers/gradcheck';
import { f64, randn, Rng } from '../helpers/random';

// f32 GPU vs the reference on the same f32 inputs (the reference accumulates in f64): the norm sums up to
// 1000 squares; a few ulps of the output's scale.
const OUT_TOL: Tolerance = { atol: 1e-7, rtol: 2e-6 };
// dx·max(norm, eps) = dout − out·(out·dout) cancels when dout is nearly parallel to out, so its f32 error is
// a few ulps of |dout| (about 1), not of the result: dx is compared in those row-scaled units.
const GRAD_TOL: Tolerance = { atol: 1e-6, rtol: 1e-6 };

/** Random rows of spread 1..4; when there are at least three rows, row 1 is zero and row 2 has a norm below 1e-12. */
function rowsInput(rng: Rng, N: number, C: number): Float32Array {
  const x = new Float32Array(N * C);
  for (let r = 0; r < N; r++) {
    const scale = N >= 3 && r === 1 ? 0 : N >= 3 && r === 2 ? 1e-14 : rng.uniform(1, 4);
    for (let c = 0; c < C; c++) x[r * C + c] = scale * rng.normal();
  }
  return x;
}

/** dx·max(norm, eps) per row: the units in which the backward's rounding error is uniform. */
function rowScaled(dx: Float32Array, norm: Float32Array, C: number): Float64Array {
  return Float64Array.from(dx, (v, i) => v * Math.max(norm[Math.floor(i / C)]!, L2_NORMALIZE_EPS));
}

describe('l2_normalize', () => {
  it('reference matches F.normalize: unit rows, norms saved, a zero row stays 0', () => {
    const x = Float64Array.of(3, 4, 0, 0);
    const out = new Float64Array(4);
    const norm = new Float64Array(2);
    ref.l2Normalize(out, norm, x, 2, 2, L2_NORMALIZE_EPS);
    expect(Array.from(out)).toEqual([0.6, 0.8, 0, 0]);
    expect(Array.from(norm)).toEqual([5, 0]);
  });

  // eps = 0.5 puts rows on both sides of the clamp: rows 0 and 2 have norm > 1, row 1 has norm about 0.2.
  it.each([L2_NORMALIZE_EPS, 0.5])('reference backward matches finite differences, eps=%f', (eps) => {
    const rng = new Rng(7);
    const [N, C] = [3, 5];
    const x = f64(randn(rng, N * C));
    let sq = 0;
    for (let c = 0; c < C; c++) sq += x[C + c]! ** 2;
    for (let c = 0; c < C; c++) x[C + c] = (0.2 * x[C + c]!) / Math.sqrt(sq);
    for (const r of [0, 2]) for (let c = 0; c < C; c++) x[r * C + c] = x[r * C + c]! + (c === r ? 2 : 0);
    const w = f64(randn(rng, N * C));
    const out = new Float64Array(N * C);
    const norm = new Float64Array(N);
    const loss = (): number => (ref.l2Normalize(out, norm, x, N, C, eps), dot(out, w));
    loss();
    expect(norm[1]).toBeCloseTo(0.2, 12);
    const dx = new Float64Array(N * C);
    ref.l2NormalizeBackward(dx, w, out, norm, N, C, eps);
    expectGradients('l2_normalize', loss, [{ name: 'x', value: x, grad: dx }]);
  });

  it('GPU reduces rows with subgroups where the device has them, with the workgroup tree elsewhere', async () => {
    const labels = (rt: Runtime): string[] => {
      const t = rt.tensor([1], 'placeholder');
      const dispatches = [l2Normalize(rt, t, t, t, 1, 1), l2NormalizeBackward(rt, t, t, t, t, 1, 1)];
      rt.release(t);
      return dispatches.map((d) => d.pipeline.label);
    };
    const rt = await testRuntime();
    expect(rt.features.subgroups, 'SwiftShader offers subgroups: without them the subgroup path goes untested').toBe(true);
    expect(labels(rt)).toEqual(['l2_normalize_subgroups:l2_normalize', 'l2_normalize_backward_subgroups:l2_normalize_backward']);
    expect(labels(await testRuntimeWithout('subgroups'))).toEqual(['l2_normalize:l2_normalize', 'l2_normalize_backward:l2_normalize_backward']);
  });
});

describe.each(runtimesFor('subgroups'))('l2_normalize GPU %s', (_, getRuntime) => {
  // (N, C): 1s, primes, C past and well past the 256-wide workgroup, more than 65535 rows (2-D grid).
  const shapes: [number, number][] = [[1, 1], [3, 7], [5, 64], [4, 257], [3, 1000], [65537, 3]];

  it.each(shapes)('GPU forward and backward match the reference, N=%i C=%i', async (N, C) => {
    const rt = await getRuntime();
    const rng = new Rng(N * 1009 + C);
    const x = rowsInput(rng, N, C);
    const dout = randn(rng, N * C);
    const t = {
      out: rt.tensor([N, C], 'out'),
      norm: rt.tensor([N], 'norm'),
      dx: rt.tensorFrom(randn(rng, N * C), [N, C], 'dx'), // garbage: dx is written, not accumulated
      x: rt.tensorFrom(x, [N, C], 'x'),
      dout: rt.tensorFrom(dout, [N, C], 'dout'),
    };
    const [out, norm, dx] = await rt.run(
      [l2Normalize(rt, t.out, t.norm, t.x, N, C), l2NormalizeBackward(rt, t.dx, t.dout, t.out, t.norm, N, C)],
      [t.out, t.norm, t.dx],
    );
    const want = { out: new Float32Array(N * C), norm: new Float32Array(N), dx: new Float32Array(N * C) };
    ref.l2Normalize(want.out, want.norm, x, N, C, L2_NORMALIZE_EPS);
    ref.l2NormalizeBackward(want.dx, dout, want.out, want.norm, N, C, L2_NORMALIZE_EPS);
    expectClose(out!, want.out, OUT_TOL, 'out');
    expectClose(norm!, want.norm, OUT_TOL, 'norm');
    expectClose(rowScaled(dx!, want.norm, C), rowScaled(want.dx, want.norm, C), GRAD_TOL, 'dx·max(norm, eps)');
    rt.release(...Object.values(t));
    expect(rt.isLost).toBe(false);
  });
});
