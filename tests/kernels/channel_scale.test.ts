import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { biasBackward } from '../../src/engine/kernels/bias_backward';
import { channelScale } from '../../src/engine/kernels/channel_scale';
import { channelScaleBackward } from '../../src/engine/kernels/channel_scale_backward';
import { COLUMN_SUM_COLS } from '../../src/engine/kernels/column_sum';
import * as biasRef from '../../src/reference/bias_backward';
import * as ref from '../../src/reference/channel_scale';
import { expectClose } from '../helpers/compare';
import { testRuntime } from '../helpers/gpu';
import { dot, expectGradients } from '../helpers/gradcheck';
import { f64, randn, Rng } from '../helpers/random';

// 1×1, primes, one past the 32-column tile and the 8-row slices, a long column, one past a 256-wide workgroup.
const SHAPES: readonly [number, number][] = [
  [1, 1],
  [7, 13],
  [9, 33],
  [300, 3],
  [2, 257],
];

describe('channel_scale ((IA)³): out = x ⊙ s per channel', () => {
  it('reference backward matches finite differences (x and s)', () => {
    const rng = new Rng(3);
    const [rows, C] = [5, 4];
    const x = f64(randn(rng, rows * C));
    const s = f64(randn(rng, C));
    const w = f64(randn(rng, rows * C));
    const out = new Float64Array(rows * C);
    const loss = (): number => (ref.channelScale(out, x, s, rows, C), dot(out, w));
    const dx = new Float64Array(rows * C);
    const ds = new Float64Array(C);
    ref.channelScale(dx, w, s, rows, C); // dx = dy ⊙ s
    ref.channelScaleBackward(ds, w, x, rows, C);
    expectGradients('channel_scale', loss, [
      { name: 'x', value: x, grad: dx },
      { name: 's', value: s, grad: ds },
    ]);
  });

  it.each(SHAPES)('GPU matches reference, written and accumulated, rows=%i C=%i', async (rows, C) => {
    const rt = await testRuntime();
    const rng = new Rng(rows * 31 + C);
    const x = randn(rng, rows * C);
    const s = randn(rng, C);
    const prior = randn(rng, rows * C);
    const fresh = rt.tensorFrom(prior, [rows, C], 'fresh');
    const acc = rt.tensorFrom(prior, [rows, C], 'acc');
    const xt = rt.tensorFrom(x, [rows, C], 'x');
    const st = rt.tensorFrom(s, [C], 's');
    const [gotFresh, gotAcc] = await rt.run([channelScale(rt, fresh, xt, st, rows, C), channelScale(rt, acc, xt, st, rows, C, true)], [fresh, acc]);
    const wantFresh = new Float32Array(rows * C);
    ref.channelScale(wantFresh, x, s, rows, C);
    const wantAcc = Float32Array.from(prior);
    ref.channelScale(wantAcc, x, s, rows, C, true);
    expectClose(gotFresh!, wantFresh, { atol: 0, rtol: 0 }, 'channel_scale');
    expectClose(gotAcc!, wantAcc, { atol: 1e-6, rtol: 1e-6 }, 'channel_scale accumulate');
  });

  it.each(SHAPES)('backward on the GPU matches reference (the scale gradient accumulates), rows=%i C=%i', async (rows, C) => {
    const rt = await testRuntime();
    const rng = new Rng(rows * 17 + C);
    const dy = randn(rng, rows * C);
    const x = randn(rng, rows * C);
    const ds0 = randn(rng, C);
    const ds = rt.tensorFrom(ds0, [C], 'ds');
    const [got] = await rt.run([channelScaleBackward(rt, ds, rt.tensorFrom(dy, [rows, C], 'dy'), rt.tensorFrom(x, [rows, C], 'x'), rows, C)], [ds]);
    const want = Float32Array.from(ds0);
    ref.channelScaleBackward(want, dy, x, rows, C);
    expectClose(got!, want, { atol: 1e-5, rtol: 1e-5 }, 'channel_scale_backward');
  });
});

describe('bias_backward through lib/column_sum.wgsl', () => {
  it.each(SHAPES)('GPU matches reference, accumulated and written, rows=%i n=%i', async (rows, n) => {
    const rt = await testRuntime();
    const rng = new Rng(rows * 13 + n);
    const dout = randn(rng, rows * n);
    const prior = randn(rng, n);
    const acc = rt.tensorFrom(prior, [n], 'acc');
    const fresh = rt.tensorFrom(prior, [n], 'fresh');
    const d = rt.tensorFrom(dout, [rows, n], 'dout');
    const [gotAcc, gotFresh] = await rt.run([biasBackward(rt, acc, d, rows, n), biasBackward(rt, fresh, d, rows, n, false)], [acc, fresh]);
    const wantAcc = Float32Array.from(prior);
    biasRef.biasBackward(wantAcc, dout, rows, n);
    const wantFresh = Float32Array.from(prior);
    biasRef.biasBackward(wantFresh, dout, rows, n, false);
    expectClose(gotAcc!, wantAcc, { atol: 1e-5, rtol: 1e-5 }, 'bias_backward accumulate');
    expectClose(gotFresh!, wantFresh, { atol: 1e-5, rtol: 1e-5 }, 'bias_backward');
  });

  it('the column tile is defined once: the lib takes it as overrides, with no value of its own', () => {
    const lib = readFileSync('shaders/lib/column_sum.wgsl', 'utf8');
    expect(lib).toMatch(/override COLS: u32;/);
    expect(lib).toMatch(/override SLICES: u32;/);
    expect(COLUMN_SUM_COLS).toBe(32);
  });
});
