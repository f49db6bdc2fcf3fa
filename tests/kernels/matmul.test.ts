import { describe, expect, it } from 'vitest';
import { biasBackward } from '../../src/engine/kernels/bias_backward';
import type { Tensor } from '../../src/engine/gpu/tensor';
import { ACTIVATIONS } from '../../src/engine/kernels/activation';
import { matmul } from '../../src/engine/kernels/matmul';
import { DEFAULT_MATMUL_TILE, MATMUL_TILE_IDS, type MatmulTileId } from '../../src/engine/kernels/matmul_tiles';
import * as biasRef from '../../src/reference/bias_backward';
import * as ref from '../../src/reference/matmul';
import { expectClose } from '../helpers/compare';
import { testRuntime } from '../helpers/gpu';
import { extent, tolFor, type MatmulCase } from '../helpers/matmul_cases';
import { dot, expectGradients } from '../helpers/gradcheck';
import { f64, randn, Rng } from '../helpers/random';

type Case = MatmulCase;

// 1, primes, exact tiles and one past them, a K that needs many 8-deep slices, every transpose,
// bias, alpha, accumulate, batches (dense, broadcast A or B, and gapped strides whose gaps must survive).
const cases: readonly Case[] = [
  { name: '1x1x1', dims: { M: 1, N: 1, K: 1 } },
  { name: 'primes', dims: { M: 7, N: 13, K: 5 } },
  { name: 'exact tile', dims: { M: 64, N: 64, K: 16 } },
  { name: 'one past tiles', dims: { M: 65, N: 67, K: 33 } },
  { name: 'wide', dims: { M: 3, N: 130, K: 17 } },
  { name: 'tall, long K', dims: { M: 131, N: 2, K: 300 } },
  { name: 'transA', dims: { M: 37, N: 29, K: 23, transA: true } },
  { name: 'transB', dims: { M: 37, N: 29, K: 23, transB: true } },
  { name: 'transA transB', dims: { M: 37, N: 29, K: 23, transA: true, transB: true } },
  { name: 'bias alpha', dims: { M: 19, N: 71, K: 11, transB: true, alpha: -0.5 }, bias: true },
  { name: 'accumulate alpha', dims: { M: 23, N: 5, K: 41, transA: true, alpha: 2, accumulate: true } },
  { name: 'batched', dims: { M: 17, N: 9, K: 13, batch: 3 } },
  { name: 'broadcast B', dims: { M: 11, N: 7, K: 19, batch: 4, transB: true, strideB: 0 }, bias: true },
  { name: 'broadcast A', dims: { M: 5, N: 66, K: 3, batch: 2, transA: true, strideA: 0, accumulate: true } },
  {
    name: 'gapped strides',
    dims: { M: 6, N: 10, K: 7, batch: 3, transB: true, strideA: 6 * 7 + 5, strideB: 10 * 7 + 1, strideC: 6 * 10 + 3 },
    bias: true,
  },
];

describe('matmul reference', () => {
  it('transposed storage gives the same product as plain storage', () => {
    const rng = new Rng(3);
    const [M, N, K] = [4, 5, 3];
    const a = f64(randn(rng, M * K)); // (M, K)
    const b = f64(randn(rng, K * N)); // (K, N)
    const at = new Float64Array(K * M);
    const bt = new Float64Array(N * K);
    for (let m = 0; m < M; m++) for (let k = 0; k < K; k++) at[k * M + m] = a[m * K + k]!;
    for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) bt[n * K + k] = b[k * N + n]!;
    const want = new Float64Array(M * N);
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let sum = 0;
        for (let k = 0; k < K; k++) sum += a[m * K + k]! * b[k * N + n]!;
        want[m * N + n] = sum;
      }
    }
    const got = new Float64Array(M * N);
    ref.matmul(got, at, bt, null, { M, N, K, transA: true, transB: true });
    expectClose(got, want, { atol: 1e-12, rtol: 1e-12 }, 'transA transB');
  });

  it('linearBackward matches finite differences (dinp, dweight, dbias)', () => {
    const rng = new Rng(5);
    const [rows, inDim, outDim] = [3, 5, 4];
    const inp = f64(randn(rng, rows * inDim));
    const weight = f64(randn(rng, outDim * inDim));
    const bias = f64(randn(rng, outDim));
    const w = f64(randn(rng, rows * outDim));
    const out = new Float64Array(rows * outDim);
    const loss = (): number => (ref.linearForward(out, inp, weight, bias, rows, inDim, outDim), dot(out, w));
    const dinp = f64(randn(rng, rows * inDim)); // written, so its old contents must not matter
    const dweight = new Float64Array(outDim * inDim);
    const dbias = new Float64Array(outDim);
    ref.linearBackward(dinp, dweight, dbias, w, inp, weight, rows, inDim, outDim);
    expectGradients('linear', loss, [
      { name: 'inp', value: inp, grad: dinp },
      { name: 'weight', value: weight, grad: dweight },
      { name: 'bias', value: bias, grad: dbias },
    ]);
  });

  it('linearBackward accumulates parameter gradients', () => {
    const rng = new Rng(6);
    const [rows, inDim, outDim] = [2, 3, 2];
    const dout = f64(randn(rng, rows * outDim));
    const inp = f64(randn(rng, rows * inDim));
    const weight = f64(randn(rng, outDim * inDim));
    const fresh = [new Float64Array(rows * inDim), new Float64Array(outDim * inDim), new Float64Array(outDim)] as const;
    ref.linearBackward(fresh[0], fresh[1], fresh[2], dout, inp, weight, rows, inDim, outDim);
    const dweight = Float64Array.from(fresh[1], (v) => v + 1);
    const dbias = Float64Array.from(fresh[2], (v) => v - 2);
    const dinp = new Float64Array(rows * inDim);
    ref.linearBackward(dinp, dweight, dbias, dout, inp, weight, rows, inDim, outDim);
    expectClose(dweight, Float64Array.from(fresh[1], (v) => 2 * v + 1), { atol: 1e-12, rtol: 1e-12 }, 'dweight +=');
    expectClose(dbias, Float64Array.from(fresh[2], (v) => 2 * v - 2), { atol: 1e-12, rtol: 1e-12 }, 'dbias +=');
    expectClose(dinp, fresh[0], { atol: 0, rtol: 0 }, 'dinp =');
  });
});

// Every other tile shape runs the cases that cross its tile edges, its K slices and every operand form.
const TILE_CASES: readonly Case[] = [
  ...cases.filter((c) => ['1x1x1', 'one past tiles', 'tall, long K', 'transA transB', 'bias alpha', 'broadcast A', 'gapped strides'].includes(c.name)),
  { name: 'one past 128-tiles', dims: { M: 129, N: 131, K: 19, transB: true }, bias: true },
];
const tileCases = MATMUL_TILE_IDS.filter((t) => t !== DEFAULT_MATMUL_TILE).flatMap((tile) => TILE_CASES.map((c) => ({ ...c, tile })));

describe('matmul GPU', () => {
  it.each(cases)('matches reference: $name', async (c) => matchesReference(c));
  it.each(tileCases)('tile $tile matches reference: $name', async (c) => matchesReference(c));

  async function matchesReference({ dims, bias, tile }: Case & { tile?: MatmulTileId }): Promise<void> {
    const rt = await testRuntime();
    const d = ref.resolveMatmulDims(dims);
    const rng = new Rng(d.M * 1000 + d.N * 10 + d.K);
    const a = randn(rng, extent(d.strideA, d.M * d.K, d.batch));
    const b = randn(rng, extent(d.strideB, d.K * d.N, d.batch));
    const c0 = randn(rng, extent(d.strideC, d.M * d.N, d.batch));
    const bv = bias ? randn(rng, d.N) : null;
    const out = rt.tensorFrom(c0, [c0.length], 'out');
    const ta = rt.tensorFrom(a, [a.length], 'a');
    const tb = rt.tensorFrom(b, [b.length], 'b');
    const tbias = bv ? rt.tensorFrom(bv, [d.N], 'bias') : null;
    const dispatch = matmul(rt, out, ta, tb, tbias, dims, { tile });
    expect(dispatch.flops).toBe(2 * d.M * d.N * d.K * d.batch);
    const [got] = await rt.run([dispatch], [out]);
    const want = Float32Array.from(c0);
    ref.matmul(want, a, b, bv, dims);
    expectClose(got!, want, tolFor(d.K), 'matmul');
    expect(rt.isLost).toBe(false);
    rt.release(out, ta, tb, ...(tbias ? [tbias] : []));
  }
});

describe('matmul fused epilogue GPU', () => {
  // The FFN's two uses (x·Wᵀ + b then GELU; dy·W then ⊙ GELU'(pre)) and every other activation, on shapes
  // past one tile; the backward form reads a pre-activation it did not write.
  const epilogueCases = ACTIVATIONS.flatMap((act) => [
    { act, kind: 'activation' as const, dims: { M: 67, N: 70, K: 13, transB: true }, bias: true },
    { act, kind: 'activation-backward' as const, dims: { M: 37, N: 66, K: 29 }, bias: false },
  ]);
  it.each(epilogueCases)('$kind $act matches reference', async ({ act, kind, dims, bias }) => {
    const rt = await testRuntime();
    const d = ref.resolveMatmulDims(dims);
    const rng = new Rng(d.M + d.N);
    const [a, b, aux0] = [randn(rng, d.M * d.K), randn(rng, d.K * d.N), randn(rng, d.M * d.N)];
    const bv = bias ? randn(rng, d.N) : null;
    const t = {
      out: rt.tensorFrom(randn(rng, d.M * d.N), [d.M * d.N], 'out'),
      aux: rt.tensorFrom(aux0, [d.M * d.N], 'aux'),
      a: rt.tensorFrom(a, [a.length], 'a'),
      b: rt.tensorFrom(b, [b.length], 'b'),
      bias: bv ? rt.tensorFrom(bv, [d.N], 'bias') : null,
    };
    const dispatch = matmul(rt, t.out, t.a, t.b, t.bias, dims, { epilogue: { kind, act, aux: t.aux } });
    const [out, aux] = await rt.run([dispatch], [t.out, t.aux]);
    const want = { out: new Float32Array(d.M * d.N), aux: Float32Array.from(aux0) };
    ref.matmul(want.out, a, b, bv, dims, { kind, act, aux: want.aux });
    expectClose(out!, want.out, tolFor(d.K), `${kind} ${act} out`);
    expectClose(aux!, want.aux, tolFor(d.K), `${kind} ${act} aux`);
    if (kind === 'activation-backward') expect(Array.from(aux!)).toEqual(Array.from(aux0)); // read, never written
    expect(rt.isLost).toBe(false);
    rt.release(t.out, t.aux, t.a, t.b, ...(t.bias ? [t.bias] : []));
  });

  it('rejects an epilogue on a batched product or with out as its aux', async () => {
    const rt = await testRuntime();
    const [out, a, b] = [rt.tensor([8], 'out'), rt.tensor([8], 'a'), rt.tensor([4], 'b')];
    const epilogue = (aux: Tensor) => ({ epilogue: { kind: 'activation' as const, act: 'gelu' as const, aux } });
    expect(() => matmul(rt, out, a, b, null, { M: 2, N: 2, K: 2, batch: 2, strideB: 0 }, epilogue(rt.tensor([8], 'aux')))).toThrow(/batch 1/);
    expect(() => matmul(rt, out, a, b, null, { M: 4, N: 2, K: 2 }, epilogue(out))).toThrow(/other than out/);
  });
});

describe('linear layer on the GPU (the three matmul forms and biasBackward)', () => {
  it('forward, dinp, dweight and dbias match linearForward / linearBackward', async () => {
    const rt = await testRuntime();
    const rng = new Rng(11);
    const [rows, inDim, outDim] = [10, 23, 17];
    const inp = randn(rng, rows * inDim);
    const weight = randn(rng, outDim * inDim);
    const bias = randn(rng, outDim);
    const dout = randn(rng, rows * outDim);
    const dweight0 = randn(rng, outDim * inDim); // parameter gradients accumulate onto these
    const dbias0 = randn(rng, outDim);
    const t = {
      out: rt.tensor([rows, outDim], 'out'),
      inp: rt.tensorFrom(inp, [rows, inDim], 'inp'),
      weight: rt.tensorFrom(weight, [outDim, inDim], 'weight'),
      bias: rt.tensorFrom(bias, [outDim], 'bias'),
      dout: rt.tensorFrom(dout, [rows, outDim], 'dout'),
      dinp: rt.tensorFrom(randn(rng, rows * inDim), [rows, inDim], 'dinp'),
      dweight: rt.tensorFrom(dweight0, [outDim, inDim], 'dweight'),
      dbias: rt.tensorFrom(dbias0, [outDim], 'dbias'),
    };
    const dispatches = [
      matmul(rt, t.out, t.inp, t.weight, t.bias, { M: rows, N: outDim, K: inDim, transB: true }),
      matmul(rt, t.dinp, t.dout, t.weight, null, { M: rows, N: inDim, K: outDim }),
      matmul(rt, t.dweight, t.dout, t.inp, null, { M: outDim, N: inDim, K: rows, transA: true, accumulate: true }),
      biasBackward(rt, t.dbias, t.dout, rows, outDim),
    ];
    const [out, dinp, dweight, dbias] = await rt.run(dispatches, [t.out, t.dinp, t.dweight, t.dbias]);
    const want = {
      out: new Float32Array(rows * outDim),
      dinp: new Float32Array(rows * inDim),
      dweight: Float32Array.from(dweight0),
      dbias: Float32Array.from(dbias0),
    };
    ref.linearForward(want.out, inp, weight, bias, rows, inDim, outDim);
    ref.linearBackward(want.dinp, want.dweight, want.dbias, dout, inp, weight, rows, inDim, outDim);
    expectClose(out!, want.out, tolFor(inDim), 'out');
    expectClose(dinp!, want.dinp, tolFor(outDim), 'dinp');
    expectClose(dweight!, want.dweight, tolFor(rows), 'dweight');
    expectClose(dbias!, want.dbias, tolFor(rows), 'dbias');
    expect(rt.isLost).toBe(false);
    rt.release(...Object.values(t));
  });
});

describe('biasBackward GPU', () => {
  // Rows fewer than, equal to and not a multiple of the 8 row slices; columns 1, primes, one past the
  // 32-column workgroup.
  it.each([
    [1, 1, true],
    [8, 31, false],
    [37, 33, true],
    [5, 257, true],
    [3, 97, false],
  ])('matches reference: rows=%i n=%i accumulate=%s', async (rows, n, accumulate) => {
    const rt = await testRuntime();
    const rng = new Rng(rows * 7919 + n);
    const dout = randn(rng, rows * n);
    const db0 = randn(rng, n);
    const dbias = rt.tensorFrom(db0, [n], 'dbias');
    const tdout = rt.tensorFrom(dout, [rows, n], 'dout');
    const [got] = await rt.run([biasBackward(rt, dbias, tdout, rows, n, accumulate)], [dbias]);
    const want = Float32Array.from(db0);
    biasRef.biasBackward(want, dout, rows, n, accumulate);
    expectClose(got!, want, tolFor(rows), 'dbias');
    expect(rt.isLost).toBe(false);
    rt.release(dbias, tdout);
  });
});

describe('launcher shape checks', () => {
  it('rejects tensors that do not match the dims', async () => {
    const rt = await testRuntime();
    const made: Tensor[] = [];
    const t = (n: number): Tensor => (made.push(rt.tensor([n], `t${n}`)), made[made.length - 1]!);
    const dims = { M: 3, N: 4, K: 5 };
    expect(() => matmul(rt, t(12), t(14), t(20), null, dims)).toThrow(/matmul: a \(14\)/);
    expect(() => matmul(rt, t(12), t(15), t(21), null, dims)).toThrow(/matmul: b \(21\)/);
    expect(() => matmul(rt, t(13), t(15), t(20), null, dims)).toThrow(/matmul: out \(13\)/);
    expect(() => matmul(rt, t(12), t(15), t(20), t(3), dims)).toThrow(/matmul: bias \(3\)/);
    expect(() => matmul(rt, t(12), t(30), t(40), null, { ...dims, batch: 2, strideC: 0 })).toThrow(/overlaps/);
    expect(() => matmul(rt, t(12), t(15), t(20), null, { ...dims, K: 0 })).toThrow(/K must be a positive integer/);
    expect(() => biasBackward(rt, t(4), t(13), 3, 4)).toThrow(/biasBackward: dout \(13\)/);
    expect(() => biasBackward(rt, t(32 * 65535 + 1), t(32 * 65535 + 1), 1, 32 * 65535 + 1)).toThrow(/exceeds/);
    rt.release(...made);
  });
});
