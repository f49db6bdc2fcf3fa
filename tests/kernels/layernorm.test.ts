import { describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/engine/gpu/runtime';
import { layernorm, LAYERNORM_EPS } from '../../src/engine/kernels/layernorm';
import { layernormBackward } from '../../src/engine/kernels/layernorm_backward';
import * as ref from '../../src/reference/layernorm';
import { expectClose, type Tolerance } from '../helpers/compare';
import { runtimesFor, testRuntime, testRuntimeWithout } from '../helpers/gpu';
import { dot, expectGradients } from '../helpers/gradcheck';
import { f64, randn, Rng } from '../helpers/random';

// f32 GPU vs the reference on the same f32 inputs (the reference accumulates in f64). The worst observed
// differences are 1e-6 (out) and 2e-6 (dinp); the bounds leave a few ulps of headroom, no more.
const OUT_TOL: Tolerance = { atol: 4e-6, rtol: 4e-6 };
const GRAD_TOL: Tolerance = { atol: 1e-5, rtol: 1e-5 };

/**
 * dweight and dbias are sums over rows of terms of size ~1, so the sums grow like sqrt(rows); a few f32
 * ulps of that is 1e-6·sqrt(rows) (1.2e-4 observed at 65541 rows, where the bound is 2.6e-4).
 */
function paramTol(rows: number): Tolerance {
  return { atol: Math.max(GRAD_TOL.atol, 1e-6 * Math.sqrt(rows)), rtol: GRAD_TOL.rtol };
}

/**
 * Rows with their own offset and spread, so centering and the variance are really exercised. Each row is
 * standardized first so its spread is the chosen one: f32 cannot resolve x − mean finer than ulp(offset),
 * and a row of a few nearly equal values (likely among 65541 rows of 3) would measure that, not the kernel.
 */
function rowsInput(rng: Rng, rows: number, C: number): Float32Array {
  const x = new Float32Array(rows * C);
  for (let r = 0; r < rows; r++) {
    const z = f64(randn(rng, C));
    const m = z.reduce((a, b) => a + b, 0) / C;
    const sd = Math.sqrt(z.reduce((a, b) => a + (b - m) ** 2, 0) / C);
    const offset = rng.uniform(-2, 2);
    const spread = rng.uniform(0.5, 4);
    for (let c = 0; c < C; c++) x[r * C + c] = offset + (sd > 0 ? (spread * (z[c]! - m)) / sd : 0);
  }
  return x;
}

describe('layernorm', () => {
  it('reference backward matches finite differences (dinp, dweight, dbias)', () => {
    const rng = new Rng(11);
    const rows = 3;
    const C = 6;
    const inp = f64(rowsInput(rng, rows, C));
    const weight = f64(randn(rng, C));
    const bias = f64(randn(rng, C));
    const w = f64(randn(rng, rows * C));
    const out = new Float64Array(rows * C);
    const mean = new Float64Array(rows);
    const rstd = new Float64Array(rows);
    const loss = (): number => (ref.layernorm(out, mean, rstd, inp, weight, bias, rows, C, LAYERNORM_EPS), dot(out, w));
    loss();
    const dinp = new Float64Array(rows * C);
    const dweight = new Float64Array(C);
    const dbias = new Float64Array(C);
    ref.layernormBackward(dinp, dweight, dbias, w, inp, weight, mean, rstd, rows, C);
    expectGradients('layernorm', loss, [
      { name: 'inp', value: inp, grad: dinp },
      { name: 'weight', value: weight, grad: dweight },
      { name: 'bias', value: bias, grad: dbias },
    ]);
  });

  it('reference uses the biased variance with eps inside the sqrt, as PyTorch', () => {
    const C = 4;
    const inp = Float64Array.of(1, 2, 3, 6);
    const out = new Float64Array(C);
    const mean = new Float64Array(1);
    const rstd = new Float64Array(1);
    ref.layernorm(out, mean, rstd, inp, Float64Array.of(1, 1, 1, 1), new Float64Array(C), 1, C, 1e-5);
    expect(mean[0]).toBe(3);
    expect(rstd[0]).toBeCloseTo(1 / Math.sqrt(3.5 + 1e-5), 14); // var = (4 + 1 + 0 + 9)/4
  });

  it('GPU reduces rows with subgroups where the device has them, with the workgroup tree elsewhere', async () => {
    const labels = (rt: Runtime): string[] => {
      const t = rt.tensor([1], 'placeholder');
      const dispatches = [layernorm(rt, t, t, t, t, t, t, 1, 1), ...layernormBackward(rt, t, t, t, t, t, t, t, t, 1, 1)];
      rt.release(t);
      return dispatches.map((d) => d.pipeline.label);
    };
    const rt = await testRuntime();
    expect(rt.features.subgroups, 'SwiftShader offers subgroups: without them the subgroup path goes untested').toBe(true);
    expect(labels(rt)).toEqual([
      'layernorm_subgroups:layernorm',
      'layernorm_backward_subgroups:layernorm_backward',
      'layernorm_backward_subgroups:layernorm_backward_params',
    ]);
    expect(labels(await testRuntimeWithout('subgroups'))).toEqual([
      'layernorm:layernorm',
      'layernorm_backward:layernorm_backward',
      'layernorm_backward:layernorm_backward_params',
    ]);
  });
});

describe.each(runtimesFor('subgroups'))('layernorm GPU %s', (_, getRuntime) => {
  // (rows, C): 1s, primes, more rows than the params pass's 8 row lanes, C just past and well past the 256-wide
  // workgroup, and more than 65535 rows (2-D grid).
  const shapes: [number, number][] = [[1, 1], [3, 7], [4, 64], [37, 33], [2, 257], [3, 1000], [65541, 3]];

  it.each(shapes)('GPU forward and backward match the reference, rows=%i C=%i', async (rows, C) => {
    const rt = await getRuntime();
    const rng = new Rng(rows * 1009 + C);
    const n = rows * C;
    const inp = rowsInput(rng, rows, C);
    const weight = randn(rng, C);
    const bias = randn(rng, C);
    const dout = randn(rng, n);
    const dweight0 = randn(rng, C); // parameter gradients accumulate onto what is there
    const dbias0 = randn(rng, C);
    const t = {
      out: rt.tensor([n], 'out'),
      mean: rt.tensor([rows], 'mean'),
      rstd: rt.tensor([rows], 'rstd'),
      inp: rt.tensorFrom(inp, [n], 'inp'),
      weight: rt.tensorFrom(weight, [C], 'weight'),
      bias: rt.tensorFrom(bias, [C], 'bias'),
      dinp: rt.tensor([n], 'dinp'),
      dweight: rt.tensorFrom(dweight0, [C], 'dweight'),
      dbias: rt.tensorFrom(dbias0, [C], 'dbias'),
      dout: rt.tensorFrom(dout, [n], 'dout'),
    };
    const [out, mean, rstd, dinp, dweight, dbias] = await rt.run(
      [
        layernorm(rt, t.out, t.mean, t.rstd, t.inp, t.weight, t.bias, rows, C),
        ...layernormBackward(rt, t.dinp, t.dweight, t.dbias, t.dout, t.inp, t.weight, t.mean, t.rstd, rows, C),
      ],
      [t.out, t.mean, t.rstd, t.dinp, t.dweight, t.dbias],
    );
    const want = { out: new Float32Array(n), mean: new Float32Array(rows), rstd: new Float32Array(rows) };
    ref.layernorm(want.out, want.mean, want.rstd, inp, weight, bias, rows, C, LAYERNORM_EPS);
    expectClose(out!, want.out, OUT_TOL, 'out');
    expectClose(mean!, want.mean, OUT_TOL, 'mean');
    expectClose(rstd!, want.rstd, OUT_TOL, 'rstd');
    const grads = { dinp: new Float32Array(n), dweight: dweight0.slice(), dbias: dbias0.slice() };
    ref.layernormBackward(grads.dinp, grads.dweight, grads.dbias, dout, inp, weight, want.mean, want.rstd, rows, C);
    expectClose(dinp!, grads.dinp, GRAD_TOL, 'dinp');
    expectClose(dweight!, grads.dweight, paramTol(rows), 'dweight');
    expectClose(dbias!, grads.dbias, paramTol(rows), 'dbias');
    rt.release(...Object.values(t));
    expect(rt.isLost).toBe(false);
  });

  it('GPU backward with accumulate adds dinp onto what is there', async () => {
    const rt = await getRuntime();
    const rng = new Rng(5);
    const rows = 5;
    const C = 37;
    const n = rows * C;
    const inp = rowsInput(rng, rows, C);
    const weight = randn(rng, C);
    const dout = randn(rng, n);
    const dinp0 = randn(rng, n);
    const mean = new Float32Array(rows);
    const rstd = new Float32Array(rows);
    ref.layernorm(new Float32Array(n), mean, rstd, inp, weight, new Float32Array(C), rows, C, LAYERNORM_EPS);
    const t = {
      dinp: rt.tensorFrom(dinp0, [n], 'dinp'),
      dweight: rt.tensor([C], 'dweight'),
      dbias: rt.tensor([C], 'dbias'),
      dout: rt.tensorFrom(dout, [n], 'dout'),
      inp: rt.tensorFrom(inp, [n], 'inp'),
      weight: rt.tensorFrom(weight, [C], 'weight'),
      mean: rt.tensorFrom(mean, [rows], 'mean'),
      rstd: rt.tensorFrom(rstd, [rows], 'rstd'),
    };
    const dispatches = layernormBackward(rt, t.dinp, t.dweight, t.dbias, t.dout, t.inp, t.weight, t.mean, t.rstd, rows, C, {
      accumulate: true,
    });
    const [dinp] = await rt.run(dispatches, [t.dinp]);
    const want = new Float32Array(n);
    ref.layernormBackward(want, new Float32Array(C), new Float32Array(C), dout, inp, weight, mean, rstd, rows, C);
    for (let i = 0; i < n; i++) want[i] = want[i]! + dinp0[i]!;
    expectClose(dinp!, want, GRAD_TOL, 'dinp (accumulated)');
    rt.release(...Object.values(t));
  });

  it('GPU backward without params (frozen LayerNorm) computes dinp and leaves the scratch alone', async () => {
    const rt = await getRuntime();
    const rng = new Rng(6);
    const rows = 9;
    const C = 19;
    const n = rows * C;
    const inp = rowsInput(rng, rows, C);
    const weight = randn(rng, C);
    const dout = randn(rng, n);
    const scratch0 = randn(rng, 2 * C + 1); // a placeholder of any size, passed as both dweight and dbias
    const mean = new Float32Array(rows);
    const rstd = new Float32Array(rows);
    ref.layernorm(new Float32Array(n), mean, rstd, inp, weight, new Float32Array(C), rows, C, LAYERNORM_EPS);
    const t = {
      dinp: rt.tensor([n], 'dinp'),
      scratch: rt.tensorFrom(scratch0, [scratch0.length], 'scratch'),
      dout: rt.tensorFrom(dout, [n], 'dout'),
      inp: rt.tensorFrom(inp, [n], 'inp'),
      weight: rt.tensorFrom(weight, [C], 'weight'),
      mean: rt.tensorFrom(mean, [rows], 'mean'),
      rstd: rt.tensorFrom(rstd, [rows], 'rstd'),
    };
    const dispatches = layernormBackward(rt, t.dinp, t.scratch, t.scratch, t.dout, t.inp, t.weight, t.mean, t.rstd, rows, C, {
      params: false,
    });
    expect(dispatches).toHaveLength(1);
    const [dinp, scratch] = await rt.run(dispatches, [t.dinp, t.scratch]);
    const want = new Float32Array(n);
    ref.layernormBackward(want, new Float32Array(C), new Float32Array(C), dout, inp, weight, mean, rstd, rows, C);
    expectClose(dinp!, want, GRAD_TOL, 'dinp');
    expectClose(scratch!, scratch0, { atol: 0, rtol: 0 }, 'scratch');
    rt.release(...Object.values(t));
  });
});
