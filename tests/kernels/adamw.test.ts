import { describe, expect, it } from 'vitest';
import { adamw, adamwUniform, ADAMW_UNIFORM_WORDS } from '../../src/engine/kernels/adamw';
import { clipGradNorm } from '../../src/engine/kernels/clip_grad_norm';
import { gradNorm } from '../../src/engine/kernels/grad_norm';
import { reducePartials } from '../../src/engine/kernels/sum';
import * as ref from '../../src/reference/adamw';
import { clipGradNorm as refClipGradNorm } from '../../src/reference/grad_norm';
import { expectClose } from '../helpers/compare';
import { testRuntime } from '../helpers/gpu';
import { randn, randu, Rng } from '../helpers/random';

const HYPER = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 };

describe('adamw reference', () => {
  it('matches two steps worked out by hand from the torch.optim.AdamW formula', () => {
    const hp = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };
    const p = Float64Array.of(1, -2);
    const m = new Float64Array(2);
    const v = new Float64Array(2);
    // Step 1, clip_coef 0.5: g = (0.2, −0.1), m = 0.1·g, v = 0.001·g², bc1 = 0.1, bc2 = 0.001, so
    // p = p·(1 − 0.001) − 0.1·g / (|g| + 1e-8).
    ref.adamw(p, Float64Array.of(0.4, -0.2), m, v, 2, { ...hp, step: 1 }, 0.5);
    expectClose(m, [0.02, -0.01], { atol: 1e-17, rtol: 1e-15 }, 'm1');
    expectClose(v, [4e-5, 1e-5], { atol: 1e-20, rtol: 1e-14 }, 'v1');
    expectClose(p, [0.89900000499999975, -1.898000009999999], { atol: 0, rtol: 1e-15 }, 'p1');
    // Step 2, no clipping: g = (−0.1, 0.3), m = (0.008, 0.021), v = (4.996e-5, 9.999e-5), bc1 = 0.19,
    // bc2 = 0.001999 (values from exact decimal arithmetic).
    ref.adamw(p, Float64Array.of(-0.1, 0.3), m, v, 2, { ...hp, step: 2 }, 1);
    expectClose(m, [0.008, 0.021], { atol: 1e-17, rtol: 1e-14 }, 'm2');
    expectClose(v, [4.996e-5, 9.999e-5], { atol: 1e-20, rtol: 1e-14 }, 'v2');
    expectClose(p, [0.87146730271367558, -1.9455209911100658], { atol: 0, rtol: 1e-14 }, 'p2');
  });

  it('adamwUniform lays out [lr, 1 − beta1, 1 − beta2, eps, weightDecay, bc1, bc2, 0]', () => {
    const words = adamwUniform({ ...HYPER, weightDecay: 0.01, step: 3 });
    expect(words.length).toBe(ADAMW_UNIFORM_WORDS);
    const want = [1e-3, 0.1, 0.001, 1e-8, 0.01, 1 - 0.9 ** 3, 1 - 0.999 ** 3, 0];
    expect(Array.from(words)).toEqual(want.map(Math.fround));
    expect(() => adamwUniform({ ...HYPER, weightDecay: 0, step: 0 })).toThrow(RangeError);
  });
});

interface GpuCase {
  readonly n: number;
  /** Gradients are normal(0, scale): 1e-8 puts sqrt(v̂) next to eps. */
  readonly scale: number;
  readonly clip: boolean;
  readonly weightDecay: number;
}

/** A clipping threshold below every step's gradient norm (clip) or far above all of them. */
function maxNormFor(grads: readonly Float32Array[], clip: boolean): number {
  const norms = grads.map((g) => Math.hypot(...g));
  return clip ? 0.5 * Math.min(...norms) : 10 * Math.max(...norms);
}

/** Reference twin of the trainer's steps: norm and clip_coef from the same gradients, then AdamW. */
function refSteps(p: Float32Array, m: Float32Array, v: Float32Array, grads: readonly Float32Array[], maxNorm: number, wd: number): number[] {
  const norm = new Float64Array(2);
  return grads.map((g, i) => {
    refClipGradNorm(norm, g, p.length, maxNorm);
    ref.adamw(p, g, m, v, p.length, { ...HYPER, weightDecay: wd, step: i + 1 }, norm[1]!);
    return norm[1]!;
  });
}

/** The trainer's steps on the GPU: dispatches built once; the gradients and the uniform rewritten per step. */
async function gpuSteps(p0: Float32Array, grads: readonly Float32Array[], maxNorm: number, wd: number): Promise<Float32Array[]> {
  const rt = await testRuntime();
  const n = p0.length;
  const params = rt.tensorFrom(p0, [n], 'params');
  const [m, v, g] = [rt.tensorFrom(new Float32Array(n), [n], 'm'), rt.tensorFrom(new Float32Array(n), [n], 'v'), rt.tensor([n], 'grads')];
  const partials = rt.tensor([reducePartials(n)], 'partials');
  const norm = rt.tensor([2], 'norm');
  const hp = rt.uniform(ADAMW_UNIFORM_WORDS, 'adamw');
  const step = [gradNorm(rt, partials, g), clipGradNorm(rt, norm, partials, maxNorm), adamw(rt, params, m, v, g, norm, hp)];
  let got: Float32Array[] = [];
  for (const [i, grad] of grads.entries()) {
    rt.write(g, grad);
    rt.write(hp, adamwUniform({ ...HYPER, weightDecay: wd, step: i + 1 }));
    got = await rt.run(step, [params, m, v, norm]);
  }
  rt.release(params, m, v, g, partials, norm, hp);
  expect(rt.isLost).toBe(false);
  return got;
}

/**
 * m and v to a few f32 ulps of their terms (m cancels across steps). p to ~7 ulps: each step rounds the
 * decayed and the updated parameter and the f32 decay factor (as torch does in f32), over three steps;
 * the update's own error (~1e-6 of lr) is the atol.
 */
function expectState(got: Float32Array[], p: Float32Array, m: Float32Array, v: Float32Array, scale: number): void {
  expectClose(got[1]!, m, { atol: 1e-7 * scale, rtol: 1e-6 }, 'm');
  expectClose(got[2]!, v, { atol: 0, rtol: 1e-6 }, 'v');
  expectClose(got[0]!, p, { atol: 1e-9, rtol: 8e-7 }, 'params');
}

describe('adamw GPU', () => {
  // Clipping active and inactive, decay on and off, gradients far above and next to eps; sizes 1, a prime,
  // one past a workgroup, and a ragged larger one.
  it.each<GpuCase>([
    { n: 1, scale: 1, clip: true, weightDecay: 0.01 },
    { n: 13, scale: 1e-3, clip: false, weightDecay: 0 },
    { n: 257, scale: 1, clip: true, weightDecay: 0 },
    { n: 1031, scale: 1e-8, clip: false, weightDecay: 0.1 },
    { n: 1031, scale: 1e-8, clip: true, weightDecay: 0.01 },
  ])('three steps match reference, n=$n scale=$scale clip=$clip wd=$weightDecay', async ({ n, scale, clip, weightDecay }) => {
    const rng = new Rng(n + Number(clip));
    const p0 = randn(rng, n);
    const grads = [0, 1, 2].map(() => randn(rng, n, scale));
    const maxNorm = maxNormFor(grads, clip);
    const [p, m, v] = [Float32Array.from(p0), new Float32Array(n), new Float32Array(n)];
    const coefs = refSteps(p, m, v, grads, maxNorm, weightDecay);
    const got = await gpuSteps(p0, grads, maxNorm, weightDecay);
    expect(coefs.every((c) => c < 1)).toBe(clip);
    expectClose([got[3]![1]!], [coefs[2]!], { atol: 0, rtol: 1e-6 }, 'clip_coef');
    expectState(got, p, m, v, scale);
  });

  it('one step past 65535 workgroups (2-D grid) matches reference', async () => {
    const n = 256 * 65535 + 3;
    const rng = new Rng(7);
    const p0 = randu(rng, n, -1, 1);
    const grad = randu(rng, n, -1, 1);
    const hp = { ...HYPER, weightDecay: 0.01, step: 1 };
    const [p, m, v] = [Float32Array.from(p0), new Float32Array(n), new Float32Array(n)];
    ref.adamw(p, grad, m, v, n, hp, 0.5);
    const rt = await testRuntime();
    const [params, mt, vt] = [rt.tensorFrom(p0, [n], 'params'), rt.tensor([n], 'm'), rt.tensor([n], 'v')];
    rt.write(mt, new Float32Array(n));
    rt.write(vt, new Float32Array(n));
    const inputs = [rt.tensorFrom(grad, [n], 'grads'), rt.tensorFrom(Float32Array.of(1, 0.5), [2], 'norm')] as const;
    const uniform = rt.uniform(ADAMW_UNIFORM_WORDS, 'adamw');
    rt.write(uniform, adamwUniform(hp));
    const got = await rt.run([adamw(rt, params, mt, vt, ...inputs, uniform)], [params, mt, vt]);
    rt.release(params, mt, vt, ...inputs, uniform);
    expectState(got, p, m, v, 1);
  });

  it('a NaN gradient makes clip_coef NaN and the parameters NaN (the trainer reads the norm and stops)', async () => {
    const n = 300;
    const g = randn(new Rng(4), n);
    g[123] = NaN;
    const [p, , , norm] = await gpuSteps(randn(new Rng(5), n), [g], 1, 0);
    expect(norm![1]).toBeNaN();
    expect(p!.every(Number.isNaN)).toBe(true);
  });
});
