import { describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/engine/gpu/runtime';
import { crossEntropy } from '../../src/engine/kernels/cross_entropy';
import { crossEntropyBackward } from '../../src/engine/kernels/cross_entropy_backward';
import * as ref from '../../src/reference/cross_entropy';
import { expectClose } from '../helpers/compare';
import { runtimesFor, testRuntime, testRuntimeWithout } from '../helpers/gpu';
import { expectGradients } from '../helpers/gradcheck';
import { f64, randn, randu, Rng } from '../helpers/random';

/** The code-search recipe's targets (the diagonal) for square logits, random classes otherwise. */
function targetsFor(rng: Rng, R: number, C: number): Uint32Array {
  return Uint32Array.from({ length: R }, (_, i) => (R === C ? i : rng.int(0, C)));
}

/** 1/R each (the mean), or random positive weights (a class-weighted loss's rows). */
function weightsFor(rng: Rng, R: number, weighted: boolean): Float32Array {
  return weighted ? randu(rng, R, 0.05, 0.5) : new Float32Array(R).fill(1 / R);
}

function refForward(logits: Float64Array, targets: Uint32Array, weights: ArrayLike<number>, R: number, C: number): { loss: Float64Array; losses: Float64Array; lse: Float64Array } {
  const out = { loss: new Float64Array(1), losses: new Float64Array(R), lse: new Float64Array(R) };
  ref.crossEntropy(out.loss, out.losses, out.lse, logits, targets, weights, R, C);
  return out;
}

describe('cross_entropy reference', () => {
  it.each([
    [4, 4, 1, false],
    [3, 5, 1, false],
    [5, 2, 1, false],
    [3, 4, 100, false],
    [5, 3, 1, true],
    [2, 2, 10, true],
  ])('backward matches finite differences, R=%i C=%i scale=%i weighted=%s', (R, C, scale, weighted) => {
    const rng = new Rng(R * 31 + C);
    const logits = f64(randn(rng, R * C, scale));
    const targets = targetsFor(rng, R, C);
    const weights = f64(weightsFor(rng, R, weighted));
    const dloss = Float64Array.of(0.7);
    const { loss, losses, lse } = refForward(logits, targets, weights, R, C);
    const objective = (): number => (ref.crossEntropy(loss, losses, lse, logits, targets, weights, R, C), loss[0]! * dloss[0]!);
    const dlogits = new Float64Array(R * C);
    ref.crossEntropyBackward(dlogits, dloss, logits, lse, targets, weights, R, C);
    expectGradients('cross_entropy', objective, [{ name: 'logits', value: logits, grad: dlogits }]);
  });

  it('matches hand-computed values and is shift-invariant at huge scores', () => {
    // Row 0: log(e^0 + e^ln3) − 0 = ln 4. Row 1: equal scores, so ln 2 whatever the target.
    const logits = Float64Array.of(0, Math.log(3), 5, 5);
    const targets = Uint32Array.of(0, 1);
    const { loss, losses } = refForward(logits, targets, [0.5, 0.5], 2, 2);
    expect(losses[0]).toBeCloseTo(Math.log(4), 14);
    expect(losses[1]).toBeCloseTo(Math.log(2), 14);
    expect(loss[0]).toBeCloseTo((Math.log(4) + Math.log(2)) / 2, 14);
    const shifted = refForward(logits.map((x) => x + 1000), targets, [0.5, 0.5], 2, 2); // naive exp would overflow
    expectClose(shifted.losses, losses, { atol: 1e-10, rtol: 0 }, 'shifted');
    // Row weights 0.2 / 0.8: PyTorch's cross_entropy(weight=[1, 4]) over these two rows.
    expect(refForward(logits, targets, [0.2, 0.8], 2, 2).loss[0]).toBeCloseTo(0.2 * Math.log(4) + 0.8 * Math.log(2), 14);
  });
});

interface GpuCase {
  readonly R: number;
  readonly C: number;
  /** Scores are normal(0, scale): 100 puts them around ±100 (CodeXGLUE's unnormalized dot products). */
  readonly scale: number;
  /** Random row weights (a class-weighted loss) instead of 1/R. */
  readonly weighted?: boolean;
}

/** Forward then backward in one submission, as the trainer encodes them. */
async function runGpu(rt: Runtime, logits: Float32Array, targets: Uint32Array, weights: Float32Array, dloss: number, { R, C }: GpuCase): Promise<Float32Array[]> {
  const loss = rt.tensor([1], 'loss');
  const losses = rt.tensor([R], 'losses');
  const lse = rt.tensor([R], 'lse');
  const dlogits = rt.tensor([R, C], 'dlogits');
  const x = rt.tensorFrom(logits, [R, C], 'logits');
  const t = rt.tensorFrom(targets, [R], 'targets');
  const d = rt.tensorFrom(Float32Array.of(dloss), [1], 'dloss');
  const w = rt.tensorFrom(weights, [R], 'weights');
  const got = await rt.run(
    [...crossEntropy(rt, loss, losses, lse, x, t, w), crossEntropyBackward(rt, dlogits, d, x, lse, t, w)],
    [loss, losses, lse, dlogits],
  );
  rt.release(loss, losses, lse, dlogits, x, t, d, w);
  expect(rt.isLost).toBe(false);
  return got;
}

describe('cross_entropy GPU', () => {
  it('reduces rows with subgroups where the device has them, with the workgroup tree elsewhere', async () => {
    const labels = (rt: Runtime): string[] => {
      const t = { logits: rt.tensor([1, 1], 'logits'), targets: rt.tensor([1], 'targets', 'u32'), one: rt.tensor([1], 'placeholder') };
      const dispatches = crossEntropy(rt, t.one, t.one, t.one, t.logits, t.targets, t.one);
      rt.release(...Object.values(t));
      return dispatches.map((d) => d.pipeline.label);
    };
    const rt = await testRuntime();
    expect(rt.features.subgroups, 'SwiftShader offers subgroups: without them the subgroup path goes untested').toBe(true);
    expect(labels(rt)).toEqual(['cross_entropy_subgroups:cross_entropy', 'cross_entropy_subgroups:cross_entropy_total']);
    expect(labels(await testRuntimeWithout('subgroups'))).toEqual(['cross_entropy:cross_entropy', 'cross_entropy:cross_entropy_total']);
  });
});

describe.each(runtimesFor('subgroups'))('cross_entropy GPU %s', (_, getRuntime) => {
  // Square (the diagonal recipe) and R ≠ C; rows shorter than, equal to and longer than the 64-wide
  // workgroup (65, 130); C = 2 with more than 65535 rows takes the 2-D grid of row workgroups.
  it.each<GpuCase>([
    { R: 1, C: 1, scale: 1 },
    { R: 4, C: 4, scale: 1 },
    { R: 5, C: 7, scale: 1 },
    { R: 13, C: 4, scale: 10 },
    { R: 7, C: 65, scale: 100 },
    { R: 32, C: 32, scale: 100 },
    { R: 3, C: 130, scale: 1 },
    { R: 65539, C: 2, scale: 1 },
    { R: 6, C: 3, scale: 1, weighted: true },
    { R: 70, C: 2, scale: 10, weighted: true },
  ])('matches reference, R=$R C=$C scale=$scale weighted=$weighted', async (shape) => {
    const { R, C, scale } = shape;
    const rng = new Rng(R * 1000 + C);
    const logits = randn(rng, R * C, scale);
    const targets = targetsFor(rng, R, C);
    const weights = weightsFor(rng, R, shape.weighted === true);
    const dloss = 0.75;
    const [loss, losses, lse, dlogits] = await runGpu(await getRuntime(), logits, targets, weights, dloss, shape);
    const want = refForward(f64(logits), targets, weights, R, C);
    // The loss is a difference of values of size ~scale: a few f32 ulps of the scores.
    const atol = 1e-6 * Math.max(1, scale);
    expectClose(lse!, want.lse, { atol, rtol: 1e-6 }, 'lse');
    expectClose(losses!, want.losses, { atol, rtol: 1e-6 }, 'losses');
    expectClose(loss!, want.loss, { atol, rtol: 1e-5 }, 'loss');
    // The backward is checked against the reference fed the GPU's own lse, so only its own error counts:
    // exp's few ulps, which are absolute near p = 1 where p − 1 cancels.
    const wantGrad = new Float64Array(R * C);
    ref.crossEntropyBackward(wantGrad, Float64Array.of(dloss), f64(logits), f64(lse!), targets, weights, R, C);
    expectClose(dlogits!, wantGrad, { atol: 3e-7 * Math.max(...weights), rtol: 2e-6 }, 'dlogits');
  });

  it('a target out of range gives a NaN row loss', async () => {
    const logits = randn(new Rng(3), 6);
    const targets = Uint32Array.of(1, 3); // row 1 has only classes 0..2
    const weights = Float32Array.of(0.5, 0.5);
    const [loss, losses] = await runGpu(await getRuntime(), logits, targets, weights, 1, { R: 2, C: 3, scale: 1 });
    const want = refForward(f64(logits), targets, weights, 2, 3);
    expect(losses![0]).toBeCloseTo(want.losses[0]!, 5);
    expect(losses![1]).toBeNaN();
    expect(want.losses[1]).toBeNaN();
    expect(loss![0]).toBeNaN();
  });
});

describe('cross_entropy_backward GPU', () => {
  // No reduction: one runtime is enough.
  it('backward uses a 2-D grid past 65535 workgroups', async () => {
    const R = 3;
    const C = Math.ceil((65535 * 256 + 1) / R);
    const rng = new Rng(9);
    const logits = randu(rng, R * C, -3, 3);
    const targets = targetsFor(rng, R, C);
    // Any saved lse exercises the indexing; skipping the 16M-element reference forward keeps the test fast.
    const lse = Float32Array.of(17.5, 16.25, 18);
    const rt = await testRuntime();
    const dlogits = rt.tensor([R, C], 'dlogits');
    const weights = Float32Array.of(0.2, 0.3, 0.5);
    const args = [
      rt.tensorFrom(Float32Array.of(1), [1], 'dloss'),
      rt.tensorFrom(logits, [R, C], 'logits'),
      rt.tensorFrom(lse, [R], 'lse'),
      rt.tensorFrom(targets, [R], 'targets'),
      rt.tensorFrom(weights, [R], 'weights'),
    ] as const;
    const [got] = await rt.run([crossEntropyBackward(rt, dlogits, ...args)], [dlogits]);
    rt.release(dlogits, ...args);
    const want = new Float32Array(R * C);
    ref.crossEntropyBackward(want, Float32Array.of(1), logits, lse, targets, weights, R, C);
    expectClose(got!, want, { atol: 3e-7 * 0.5, rtol: 2e-6 }, 'dlogits');
  });
});
