import { describe, expect, it } from 'vitest';
import { clipGradNorm } from '../../src/engine/kernels/clip_grad_norm';
import { gradNorm } from '../../src/engine/kernels/grad_norm';
import { reducePartials, sum, type ReduceOptions } from '../../src/engine/kernels/sum';
import * as refNorm from '../../src/reference/grad_norm';
import * as refSum from '../../src/reference/sum';
import { expectClose } from '../helpers/compare';
import type { Runtime } from '../../src/engine/gpu/runtime';
import { runtimesFor } from '../helpers/gpu';
import { randn, randu, Rng } from '../helpers/random';

/** Integers in [-k, k]: their sums (and sums of squares) are exact in f32 while they stay below 2^24. */
function randint(rng: Rng, n: number, k: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.int(-k, k + 1);
  return out;
}

function absSum(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += Math.abs(v);
  return s;
}

async function gpuSum(rt: Runtime, x: Float32Array, options: ReduceOptions = {}): Promise<number> {
  const n = x.length;
  const out = rt.tensor([1], 'sum');
  const partials = rt.tensor([reducePartials(n, options)], 'partials');
  const inp = rt.tensorFrom(x, [n], 'inp');
  const [got] = await rt.run(sum(rt, out, partials, inp, options), [out]);
  rt.release(out, partials, inp);
  expect(rt.isLost).toBe(false);
  return got![0]!;
}

/** Σ over gradNorm's partials: the sum of squares the norm is taken of. */
async function gpuSumOfSquares(rt: Runtime, g: Float32Array, options: ReduceOptions = {}): Promise<number> {
  const n = g.length;
  const partials = rt.tensor([reducePartials(n, options)], 'partials');
  const grads = rt.tensorFrom(g, [n], 'grads');
  const [got] = await rt.run([gradNorm(rt, partials, grads, options)], [partials]);
  rt.release(partials, grads);
  return got!.reduce((a, b) => a + b, 0);
}

async function gpuClip(rt: Runtime, g: Float32Array, maxNorm: number): Promise<Float32Array> {
  const n = g.length;
  const out = rt.tensor([2], 'norm');
  const partials = rt.tensor([reducePartials(n)], 'partials');
  const grads = rt.tensorFrom(g, [n], 'grads');
  const [got] = await rt.run([gradNorm(rt, partials, grads), clipGradNorm(rt, out, partials, maxNorm)], [out]);
  rt.release(out, partials, grads);
  return got!;
}

// 1, a prime, one short of and one past a 2048-element workgroup tile, several tiles plus a ragged end.
const SIZES = [1, 13, 2047, 2049, 2048 * 3 + 5];
// Small workgroups put more than 65535 of them (the 2-D grid) within reach of half a million elements:
// SwiftShader pays for every barrier of every invocation, so 65536 workgroups of 256 take minutes.
const GRID2D = { n: 8 * 65535 + 13, options: { itemsPerThread: 2, workgroupSize: 4 } };

// The workgroup sums run through lib/reduce.wgsl: with subgroups where the device has them, else the tree.
describe.each(runtimesFor('subgroups'))('sum GPU %s', (_, getRuntime) => {
  it.each(SIZES)('GPU matches reference on random normals, n=%i', async (n) => {
    const x = randn(new Rng(n), n);
    const want = new Float64Array(1);
    refSum.sum(want, Float64Array.from(x), n);
    // f32 partial sums: the error stays within about one ulp of Σ|x| (the worst case grows with the tree depth).
    expectClose([await gpuSum(await getRuntime(), x)], want, { atol: 1e-7 * absSum(x), rtol: 0 }, 'sum');
  });

  // Integer data sums exactly, so a dropped or doubled element shows at any size.
  it.each([
    { n: 13, options: {} },
    { n: 2048 * 3 + 5, options: {} },
    { n: 1000, options: { itemsPerThread: 3 } },
    GRID2D,
  ])('GPU is exact on integers, n=$n $options', async ({ n, options }) => {
    const x = randint(new Rng(n + 1), n, 1);
    const want = new Float64Array(1);
    refSum.sum(want, x, n);
    expect(await gpuSum(await getRuntime(), x, options)).toBe(want[0]);
  });
});

describe('grad_norm + clip_grad_norm reference', () => {
  it('reference matches hand-computed values (torch.nn.utils.clip_grad_norm_ semantics)', () => {
    const out = new Float64Array(2);
    refNorm.clipGradNorm(out, Float64Array.of(3, 0, -4), 3, 1);
    expect(out[0]).toBe(5);
    expect(out[1]).toBeCloseTo(1 / (5 + 1e-6), 15);
    refNorm.clipGradNorm(out, Float64Array.of(3, 0, -4), 3, 10);
    expect(out[1]).toBe(1);
    refNorm.clipGradNorm(out, Float64Array.of(0, 0), 2, 1);
    expect(Array.from(out)).toEqual([0, 1]);
    expect(refNorm.clipCoef(Infinity, 1)).toBeNaN();
    expect(refNorm.clipCoef(NaN, 1)).toBeNaN();
  });
});

describe.each(runtimesFor('subgroups'))('grad_norm + clip_grad_norm GPU %s', (_, getRuntime) => {
  it.each([...SIZES.map((n) => ({ n, options: {} })), { n: 1000, options: { itemsPerThread: 3 } }, GRID2D])(
    'GPU partial sums of squares are exact on integers, n=$n $options',
    async ({ n, options }) => {
      const g = randint(new Rng(n + 2), n, 3);
      const want = refNorm.gradNorm(g, n) ** 2;
      expect(await gpuSumOfSquares(await getRuntime(), g, options)).toBe(want);
    },
  );

  // Clipping active (maxNorm below the norm) and inactive (above it); tiny gradients make PyTorch's 1e-6
  // in max_norm / (total_norm + 1e-6) matter.
  it.each([
    { n: 1, scale: 1, maxNorm: 0.1 },
    { n: 13, scale: 1, maxNorm: 100 },
    { n: 5, scale: 1e-7, maxNorm: 1e-7 },
    { n: 2049, scale: 1, maxNorm: 1 },
    { n: 2048 * 300 + 7, scale: 1, maxNorm: 1e4 },
  ])('GPU [total_norm, clip_coef] matches reference, n=$n scale=$scale maxNorm=$maxNorm', async ({ n, scale, maxNorm }) => {
    const g = randn(new Rng(n + 3), n, scale);
    const want = new Float64Array(2);
    refNorm.clipGradNorm(want, Float64Array.from(g), n, maxNorm);
    expect(want[1]! < 1).toBe(maxNorm < 10); // the cases do exercise both branches
    expectClose(await gpuClip(await getRuntime(), g, maxNorm), want, { atol: 0, rtol: 1e-6 }, 'clip_grad_norm');
  });

  it.each([NaN, Infinity, -Infinity, 1e30])('GPU clip_coef is NaN when the norm is not finite (one gradient %f)', async (bad) => {
    const g = randu(new Rng(5), 3000, -1, 1);
    g[2100] = bad; // in the second workgroup
    const got = await gpuClip(await getRuntime(), g, 1);
    expect(Number.isFinite(got[0])).toBe(false);
    expect(got[1]).toBeNaN();
  });
});
