import { describe, expect, it } from 'vitest';
import type { Tensor } from '../../src/engine/gpu/tensor';
import { loraBackward, loraForward } from '../../src/engine/kernels/lora';
import * as ref from '../../src/reference/lora';
import { expectClose, type Tolerance } from '../helpers/compare';
import { testRuntime } from '../helpers/gpu';
import { dot, expectGradients } from '../helpers/gradcheck';
import { f64, randn, Rng } from '../helpers/random';

/** f32 GPU vs the float64-summed reference: error grows with the longest reduction (see matmul.test.ts). */
function tolFor(dims: ref.LoraDims): Tolerance {
  return { atol: 2e-7 * Math.max(dims.rows, dims.inDim, dims.outDim) * Math.max(1, Math.abs(dims.scale)), rtol: 1e-5 };
}

describe('lora reference', () => {
  it('loraBackward matches finite differences (x, A, B)', () => {
    const rng = new Rng(2);
    const dims: ref.LoraDims = { rows: 3, inDim: 5, outDim: 4, rank: 2, scale: 1.5 };
    const { rows, inDim, outDim, rank } = dims;
    const x = f64(randn(rng, rows * inDim));
    const a = f64(randn(rng, rank * inDim));
    const b = f64(randn(rng, outDim * rank));
    const base = f64(randn(rng, rows * outDim)); // the base linear's output, which the path adds onto
    const w = f64(randn(rng, rows * outDim));
    const out = new Float64Array(rows * outDim);
    const h = new Float64Array(rows * rank);
    const loss = (): number => (out.set(base), ref.loraForward(out, h, x, a, b, dims), dot(out, w));
    loss(); // fills h as the forward saves it
    const dx = new Float64Array(rows * inDim);
    const da = new Float64Array(rank * inDim);
    const db = new Float64Array(outDim * rank);
    const dh = f64(randn(rng, rows * rank)); // scratch: written before it is read
    ref.loraBackward(dx, da, db, dh, w, x, h, a, b, dims);
    const written = f64(randn(rng, rows * inDim)); // accumulateDx = false overwrites whatever dx held
    ref.loraBackward(written, new Float64Array(da.length), new Float64Array(db.length), dh, w, x, h, a, b, dims, false);
    expectClose(written, dx, { atol: 0, rtol: 0 }, 'dx written');
    expectGradients('lora', loss, [
      { name: 'x', value: x, grad: dx },
      { name: 'A', value: a, grad: da },
      { name: 'B', value: b, grad: db },
    ]);
  });
});

interface GpuCase {
  readonly dims: ref.LoraDims;
  /** false: dx is a scratch written fresh (the lora_dropout path) instead of the base gradient. */
  readonly accumulateDx: boolean;
}

// r = 1, 3, 8 with prime widths; rows 1 and a prime; a fractional and an rsLoRA-style scale; dx both ways.
const gpuCases: readonly GpuCase[] = [
  { dims: { rows: 1, inDim: 13, outDim: 11, rank: 1, scale: 2 }, accumulateDx: true },
  { dims: { rows: 7, inDim: 31, outDim: 29, rank: 3, scale: 16 / 3 }, accumulateDx: false },
  { dims: { rows: 16, inDim: 67, outDim: 37, rank: 8, scale: 16 / Math.sqrt(8) }, accumulateDx: true },
];

describe('lora GPU', () => {
  it.each(gpuCases)('forward and backward match reference: rows=$dims.rows in=$dims.inDim out=$dims.outDim r=$dims.rank accumulateDx=$accumulateDx', async ({ dims, accumulateDx }) => {
    const rt = await testRuntime();
    const { rows, inDim, outDim, rank } = dims;
    const rng = new Rng(rows * 100 + rank);
    const host = {
      x: randn(rng, rows * inDim),
      a: randn(rng, rank * inDim),
      b: randn(rng, outDim * rank),
      out: randn(rng, rows * outDim), // the base output the path accumulates into
      dout: randn(rng, rows * outDim),
      dx: randn(rng, rows * inDim), // the base input gradient the path accumulates into
      da: randn(rng, rank * inDim),
      db: randn(rng, outDim * rank),
      garbage: randn(rng, rows * rank), // h and dh are written, so start them dirty
    };
    const t = {
      out: rt.tensorFrom(host.out, [rows, outDim], 'out'),
      h: rt.tensorFrom(host.garbage, [rows, rank], 'h'),
      x: rt.tensorFrom(host.x, [rows, inDim], 'x'),
      a: rt.tensorFrom(host.a, [rank, inDim], 'a'),
      b: rt.tensorFrom(host.b, [outDim, rank], 'b'),
      dx: rt.tensorFrom(host.dx, [rows, inDim], 'dx'),
      da: rt.tensorFrom(host.da, [rank, inDim], 'da'),
      db: rt.tensorFrom(host.db, [outDim, rank], 'db'),
      dh: rt.tensorFrom(host.garbage, [rows, rank], 'dh'),
      dout: rt.tensorFrom(host.dout, [rows, outDim], 'dout'),
    };
    const dispatches = [
      ...loraForward(rt, t.out, t.h, t.x, t.a, t.b, dims),
      ...loraBackward(rt, t.dx, t.da, t.db, t.dh, t.dout, t.x, t.h, t.a, t.b, dims, accumulateDx),
    ];
    const [out, h, dx, da, db, dh] = await rt.run(dispatches, [t.out, t.h, t.dx, t.da, t.db, t.dh]);
    const want = {
      out: Float32Array.from(host.out),
      h: new Float32Array(rows * rank),
      dx: Float32Array.from(host.dx),
      da: Float32Array.from(host.da),
      db: Float32Array.from(host.db),
      dh: new Float32Array(rows * rank),
    };
    ref.loraForward(want.out, want.h, host.x, host.a, host.b, dims);
    ref.loraBackward(want.dx, want.da, want.db, want.dh, host.dout, host.x, want.h, host.a, host.b, dims, accumulateDx);
    const tol = tolFor(dims);
    expectClose(out!, want.out, tol, 'out');
    expectClose(h!, want.h, tol, 'h');
    expectClose(dx!, want.dx, tol, 'dx');
    expectClose(da!, want.da, tol, 'dA');
    expectClose(db!, want.db, tol, 'dB');
    expectClose(dh!, want.dh, tol, 'dh');
    expect(rt.isLost).toBe(false);
    rt.release(...Object.values(t));
  });

  it('skips the input gradient when dx is null', async () => {
    const rt = await testRuntime();
    const dims = gpuCases[0]!.dims;
    const { rows, inDim, outDim, rank } = dims;
    const t = (shape: number[], label: string): Tensor => rt.tensor(shape, label);
    const args = [t([rank, inDim], 'da'), t([outDim, rank], 'db'), t([rows, rank], 'dh'), t([rows, outDim], 'dout')] as const;
    const inputs = [t([rows, inDim], 'x'), t([rows, rank], 'h'), t([rank, inDim], 'a'), t([outDim, rank], 'b')] as const;
    const dx = t([rows, inDim], 'dx');
    expect(loraBackward(rt, dx, ...args, ...inputs, dims)).toHaveLength(4);
    expect(loraBackward(rt, null, ...args, ...inputs, dims)).toHaveLength(3);
    rt.release(dx, ...args, ...inputs);
  });
});
