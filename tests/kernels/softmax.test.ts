import { describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/engine/gpu/runtime';
import { softmax } from '../../src/engine/kernels/softmax';
import { softmaxBackward } from '../../src/engine/kernels/softmax_backward';
import * as ref from '../../src/reference/softmax';
import { expectClose, type Tolerance } from '../helpers/compare';
import { runtimesFor, testRuntime, testRuntimeWithout } from '../helpers/gpu';
import { dot, expectGradients } from '../helpers/gradcheck';
import { f64, randn, Rng } from '../helpers/random';

// f32 GPU vs the reference on the same f32 inputs (the reference works in f64). Outputs lie in [0, 1]; the
// worst observed differences are 1.2e-7 (out, one ulp below 1) and 3.9e-7 (dinp, where dout − Σ dout·y cancels).
const OUT_TOL: Tolerance = { atol: 5e-7, rtol: 5e-6 };
const GRAD_TOL: Tolerance = { atol: 1e-6, rtol: 1e-5 };

/** Logits with a per-row offset up to ±100: exp(100) overflows f32, so the row max must be subtracted. */
function logits(rng: Rng, rows: number, C: number): Float32Array {
  const x = randn(rng, rows * C);
  for (let r = 0; r < rows; r++) {
    const offset = rng.uniform(-100, 100);
    const spread = rng.uniform(0.1, 5);
    for (let c = 0; c < C; c++) x[r * C + c] = x[r * C + c]! * spread + offset;
  }
  return x;
}

describe('softmax', () => {
  it('reference backward matches finite differences', () => {
    const rng = new Rng(3);
    const rows = 2;
    const C = 5;
    const inp = f64(randn(rng, rows * C, 2));
    const w = f64(randn(rng, rows * C));
    const out = new Float64Array(rows * C);
    const loss = (): number => (ref.softmax(out, inp, rows, C), dot(out, w));
    loss();
    const dinp = new Float64Array(rows * C);
    ref.softmaxBackward(dinp, w, out, rows, C);
    expectGradients('softmax', loss, [{ name: 'inp', value: inp, grad: dinp }]);
  });

  it('GPU reduces rows with subgroups where the device has them, with the workgroup tree elsewhere', async () => {
    const labels = (rt: Runtime): string[] => {
      const t = rt.tensor([1], 'placeholder');
      const dispatches = [softmax(rt, t, t, 1, 1), softmaxBackward(rt, t, t, t, 1, 1)];
      rt.release(t);
      return dispatches.map((d) => d.pipeline.label);
    };
    const rt = await testRuntime();
    expect(rt.features.subgroups, 'SwiftShader offers subgroups: without them the subgroup path goes untested').toBe(true);
    expect(labels(rt)).toEqual(['softmax_subgroups:softmax', 'softmax_backward_subgroups:softmax_backward']);
    expect(labels(await testRuntimeWithout('subgroups'))).toEqual(['softmax:softmax', 'softmax_backward:softmax_backward']);
  });
});

describe.each(runtimesFor('subgroups'))('softmax GPU %s', (_, getRuntime) => {
  // (rows, C): 1s, primes, C just past and well past the 256-wide workgroup, and more than 65535 rows (2-D grid).
  const shapes: [number, number][] = [[1, 1], [3, 7], [4, 64], [2, 257], [3, 1000], [65537, 2]];

  it.each(shapes)('GPU forward and backward match the reference, rows=%i C=%i', async (rows, C) => {
    const rt = await getRuntime();
    const rng = new Rng(rows * 7919 + C);
    const n = rows * C;
    const inp = logits(rng, rows, C);
    const dout = randn(rng, n);
    const t = {
      out: rt.tensor([n], 'out'),
      inp: rt.tensorFrom(inp, [n], 'inp'),
      dinp: rt.tensor([n], 'dinp'),
      dout: rt.tensorFrom(dout, [n], 'dout'),
    };
    const [out, dinp] = await rt.run(
      [softmax(rt, t.out, t.inp, rows, C), softmaxBackward(rt, t.dinp, t.dout, t.out, rows, C)],
      [t.out, t.dinp],
    );
    const want = new Float32Array(n);
    ref.softmax(want, inp, rows, C);
    expectClose(out!, want, OUT_TOL, 'out');
    const wantGrad = new Float32Array(n);
    ref.softmaxBackward(wantGrad, dout, want, rows, C);
    expectClose(dinp!, wantGrad, GRAD_TOL, 'dinp');
    rt.release(...Object.values(t));
    expect(rt.isLost).toBe(false);
  });
});
