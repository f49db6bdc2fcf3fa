import { describe, expect, it } from 'vitest';
import { activation, ACTIVATIONS, type Activation } from '../../src/engine/kernels/activation';
import { activationBackward } from '../../src/engine/kernels/activation_backward';
import * as ref from '../../src/reference/activation';
import { expectClose, type Tolerance } from '../helpers/compare';
import { testRuntime } from '../helpers/gpu';
import { dot, expectGradients } from '../helpers/gradcheck';
import { f64, randn, Rng } from '../helpers/random';
import type { Runtime } from '../../src/engine/gpu/runtime';

// f32 GPU vs the reference on the same f32 inputs (the reference works in f64, with a 1e-15 erf). The worst
// observed differences are one ulp of the value (9.5e-7 for swish near 9) and 6.7e-7 for tanh' (1 − t² cancels).
const TOL: Tolerance = { atol: 1e-6, rtol: 1e-6 };

/** The shader's erf promise: within 1e-7 of erf everywhere (7.6e-8 measured in f32 arithmetic). */
const ERF_MAX_ERROR = 1e-7;

/** Where the activations' code paths change or overflow: 0, erf's branch points, exp overflow, tanh saturation. */
const SPECIAL = [0, 1e-30, -1e-7, 0.921875 * Math.SQRT2, -0.921875 * Math.SQRT2, 4 * Math.SQRT2, -4 * Math.SQRT2, 20, -20, 100, -100];

function inputs(rng: Rng, n: number): Float32Array {
  const x = randn(rng, n, 3);
  x.set(SPECIAL.slice(0, n));
  return x;
}

async function runBoth(rt: Runtime, x: Float32Array, dout: Float32Array, kind: Activation): Promise<Float32Array[]> {
  const n = x.length;
  const t = {
    out: rt.tensor([n], 'out'),
    inp: rt.tensorFrom(x, [n], 'inp'),
    dinp: rt.tensor([n], 'dinp'),
    dout: rt.tensorFrom(dout, [n], 'dout'),
  };
  const got = await rt.run([activation(rt, t.out, t.inp, kind), activationBackward(rt, t.dinp, t.dout, t.inp, kind)], [t.out, t.dinp]);
  rt.release(...Object.values(t));
  return got;
}

describe('activation', () => {
  it('reference erf matches 20-digit values to 1e-15', () => {
    // mpmath erf at 30 digits.
    const table: [number, number][] = [
      [1e-3, 0.0011283787909692363799],
      [0.1, 0.1124629160182848922],
      [0.5, 0.52049987781304653768],
      [1, 0.84270079294971486934],
      [1.5, 0.96610514647531072707],
      [2, 0.99532226501895273416],
      [3, 0.99997790950300141456],
      [3.5, 0.99999925690162765859],
      [4.5, 0.99999999980338395585],
      [6, 0.99999999999999997848],
    ];
    for (const [x, want] of table) {
      expect(Math.abs(ref.erf(x) - want), `erf(${x})`).toBeLessThan(1e-15);
      expect(ref.erf(-x), `erf(-${x})`).toBe(-ref.erf(x));
    }
  });

  it.each(ACTIVATIONS)('reference backward matches finite differences, %s', (kind) => {
    const rng = new Rng(17);
    const n = 16;
    const x = f64(randn(rng, n, 3));
    for (let i = 0; i < n; i++) if (Math.abs(x[i]!) < 1e-2) x[i] = 0.5; // keep off ReLU's kink
    const w = f64(randn(rng, n));
    const out = new Float64Array(n);
    const loss = (): number => (ref.activation(out, x, n, kind), dot(out, w));
    const dinp = new Float64Array(n);
    ref.activationBackward(dinp, w, x, n, kind);
    expectGradients(kind, loss, [{ name: 'inp', value: x, grad: dinp }]);
  });

  // The forward error is the erf error scaled by 0.5·|x|, plus the rounding of the result; GELU' = Φ + x·φ
  // carries 0.5 of the erf error plus a few ulps of its two terms.
  it('GPU GELU and its derivative are within the erf error of the exact values on a dense grid', async () => {
    const rt = await testRuntime();
    const n = 12289; // [-6, 6] in steps of 2^-10: both erf branches and the saturated tails
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = -6 + i / 1024;
    const [out, dinp] = await runBoth(rt, x, new Float32Array(n).fill(1), 'gelu');
    const worst = { forward: 0, backward: 0 };
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      const phiTerm = Math.abs(v) * Math.exp(-0.5 * v * v) / Math.sqrt(2 * Math.PI);
      const forwardBound = 0.5 * Math.abs(v) * ERF_MAX_ERROR + 2 ** -23 * Math.abs(ref.gelu(v)) + 1e-45;
      const backwardBound = 0.5 * ERF_MAX_ERROR + 2 ** -22 * (0.5 * (1 + ref.erf(v * Math.SQRT1_2)) + phiTerm);
      worst.forward = Math.max(worst.forward, Math.abs(out![i]! - ref.gelu(v)) / forwardBound);
      worst.backward = Math.max(worst.backward, Math.abs(dinp![i]! - ref.geluGrad(v)) / backwardBound);
    }
    expect(worst.forward, 'forward error / bound').toBeLessThanOrEqual(1);
    expect(worst.backward, 'backward error / bound').toBeLessThanOrEqual(1);
  });

  // 1, a prime, one past a workgroup, and a few workgroups.
  const cases = ACTIVATIONS.flatMap((kind) => [1, 13, 257, 1000].map((n) => [kind, n] as const));

  it.each(cases)('GPU forward and backward match the reference, %s n=%i', async (kind, n) => {
    const rt = await testRuntime();
    const rng = new Rng(n * 31 + ACTIVATIONS.indexOf(kind));
    const x = inputs(rng, n);
    const dout = randn(rng, n);
    const [out, dinp] = await runBoth(rt, x, dout, kind);
    const want = new Float32Array(n);
    ref.activation(want, x, n, kind);
    const wantGrad = new Float32Array(n);
    ref.activationBackward(wantGrad, dout, x, n, kind);
    expectClose(out!, want, TOL, `${kind} out`);
    expectClose(dinp!, wantGrad, TOL, `${kind} dinp`);
    expect(rt.isLost).toBe(false);
  });

  it('GPU forward and backward cover more than 65535 workgroups (2-D grid)', async () => {
    const rt = await testRuntime();
    const n = 256 * 65535 + 3;
    // Cheap patterned values (random normals for 16.7M elements would dominate the test's time).
    const x = new Float32Array(n);
    const dout = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = ((i * 7919) % 1001) / 100 - 5;
      dout[i] = ((i * 104729) % 997) / 100 - 5;
    }
    const [out, dinp] = await runBoth(rt, x, dout, 'relu');
    const want = new Float32Array(n);
    ref.activation(want, x, n, 'relu');
    const wantGrad = new Float32Array(n);
    ref.activationBackward(wantGrad, dout, x, n, 'relu');
    expectClose(out!, want, { atol: 0, rtol: 0 }, 'relu out');
    expectClose(dinp!, wantGrad, { atol: 0, rtol: 0 }, 'relu dinp');
  });

  it('GPU backward with accumulate adds onto what is there', async () => {
    const rt = await testRuntime();
    const n = 257;
    const rng = new Rng(4);
    const x = inputs(rng, n);
    const dout = randn(rng, n);
    const dinp0 = randn(rng, n);
    const t = { dinp: rt.tensorFrom(dinp0, [n], 'dinp'), dout: rt.tensorFrom(dout, [n], 'dout'), inp: rt.tensorFrom(x, [n], 'inp') };
    const [dinp] = await rt.run([activationBackward(rt, t.dinp, t.dout, t.inp, 'gelu', { accumulate: true })], [t.dinp]);
    const want = new Float32Array(n);
    ref.activationBackward(want, dout, x, n, 'gelu');
    for (let i = 0; i < n; i++) want[i] = want[i]! + dinp0[i]!;
    expectClose(dinp!, want, TOL, 'gelu dinp (accumulated)');
    rt.release(...Object.values(t));
  });
});
