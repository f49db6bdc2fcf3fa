/**
 * matmul with B stored as packed halves (the `matmul_b16` shader), against the f32 reference applied to B
 * rounded through packHalves / unpackHalves: widening a half is exact, so the only difference from the f32
 * kernel's error is none, and the tolerance is matmul.test.ts's. Also the 'f16' dtype in the runtime.
 */
import { describe, expect, it } from 'vitest';
import { byteSize, type Tensor } from '../../src/engine/gpu/tensor';
import { packHalves, unpackHalves } from '../../src/engine/kernels/halves';
import { matmul } from '../../src/engine/kernels/matmul';
import * as ref from '../../src/reference/matmul';
import { expectClose } from '../helpers/compare';
import { testRuntime } from '../helpers/gpu';
import { extent, tolFor, type MatmulCase } from '../helpers/matmul_cases';
import { randn, Rng } from '../helpers/random';

type Case = MatmulCase;

// Every transpose, odd element counts (a half-filled last word), tiles and one past them, the three linear
// forms, and batches whose B starts mid-word (odd strides) or is broadcast.
const cases: readonly Case[] = [
  { name: '1x1x1', dims: { M: 1, N: 1, K: 1 } },
  { name: 'primes (odd B)', dims: { M: 7, N: 13, K: 5 } },
  { name: 'one past tiles', dims: { M: 65, N: 67, K: 33 } },
  { name: 'transA', dims: { M: 37, N: 29, K: 23, transA: true } },
  { name: 'transB', dims: { M: 37, N: 29, K: 23, transB: true } },
  { name: 'transA transB', dims: { M: 37, N: 29, K: 23, transA: true, transB: true } },
  { name: 'linear forward (bias)', dims: { M: 10, N: 17, K: 23, transB: true }, bias: true },
  { name: 'linear dx (accumulate)', dims: { M: 10, N: 23, K: 17, accumulate: true } },
  { name: 'tall, long K', dims: { M: 131, N: 3, K: 300, transB: true } },
  { name: 'bias alpha', dims: { M: 19, N: 71, K: 11, transB: true, alpha: -0.5 }, bias: true },
  { name: 'batched, odd B stride', dims: { M: 5, N: 3, K: 7, batch: 3 } },
  { name: 'broadcast B', dims: { M: 11, N: 7, K: 19, batch: 4, transB: true, strideB: 0 }, bias: true },
  { name: 'gapped odd strides', dims: { M: 6, N: 10, K: 7, batch: 3, transB: true, strideA: 47, strideB: 71, strideC: 63 } },
];

describe('matmul with a packed-f16 B', () => {
  it.each(cases)('matches the reference on rounded B: $name', async ({ dims, bias }) => {
    const rt = await testRuntime();
    const d = ref.resolveMatmulDims(dims);
    const rng = new Rng(d.M * 1000 + d.N * 10 + d.K + 7);
    const a = randn(rng, extent(d.strideA, d.M * d.K, d.batch));
    const b = randn(rng, extent(d.strideB, d.K * d.N, d.batch));
    const c0 = randn(rng, extent(d.strideC, d.M * d.N, d.batch));
    const bv = bias ? randn(rng, d.N) : null;
    const out = rt.tensorFrom(c0, [c0.length], 'out');
    const ta = rt.tensorFrom(a, [a.length], 'a');
    const tb = rt.tensor([b.length], 'b16', 'f16');
    rt.write(tb, packHalves(b));
    const tbias = bv ? rt.tensorFrom(bv, [d.N], 'bias') : null;
    const dispatch = matmul(rt, out, ta, tb, tbias, dims);
    expect(dispatch.pipeline.label).toBe('matmul_b16:matmul');
    const [got] = await rt.run([dispatch], [out]);
    const want = Float32Array.from(c0);
    ref.matmul(want, a, unpackHalves(packHalves(b), b.length), bv, dims);
    expectClose(got!, want, tolFor(d.K), 'matmul_b16');
    expect(rt.isLost).toBe(false);
    rt.release(out, ta, tb, ...(tbias ? [tbias] : []));
  });

  it('gives the f32 kernel result bit for bit when B holds halves already', async () => {
    const rt = await testRuntime();
    const rng = new Rng(23);
    const dims = { M: 33, N: 21, K: 45, transB: true };
    const a = randn(rng, 33 * 45);
    const b = unpackHalves(packHalves(randn(rng, 21 * 45)), 21 * 45);
    const t = { out32: rt.tensor([33 * 21], 'out32'), out16: rt.tensor([33 * 21], 'out16'), a: rt.tensorFrom(a, [a.length], 'a'), b32: rt.tensorFrom(b, [b.length], 'b32'), b16: rt.tensor([b.length], 'b16', 'f16') };
    rt.write(t.b16, packHalves(b));
    const [f32, f16] = await rt.run([matmul(rt, t.out32, t.a, t.b32, null, dims), matmul(rt, t.out16, t.a, t.b16, null, dims)], [t.out32, t.out16]);
    expect([...f16!]).toEqual([...f32!]);
    rt.release(...Object.values(t));
  });

  it('rejects packed f16 anywhere but B', async () => {
    const rt = await testRuntime();
    const f16 = rt.tensor([12], 'w16', 'f16');
    const f32 = rt.tensor([12], 'x');
    const b = rt.tensor([16], 'b');
    const dims = { M: 3, N: 4, K: 4 };
    expect(() => matmul(rt, f32, f16, b, null, dims)).toThrow(/matmul: a w16 is packed f16; only B may be/);
    expect(() => matmul(rt, f16, f32, b, null, dims)).toThrow(/out w16 is packed f16/);
    rt.release(f16, f32, b);
  });
});

describe("the 'f16' dtype in the runtime", () => {
  it('allocates half the bytes, rounded up to whole words', () => {
    expect(byteSize([6], 'f16')).toBe(12);
    expect(byteSize([7], 'f16')).toBe(16);
    expect(byteSize([1], 'f16')).toBe(4);
    expect(byteSize([768, 768], 'f16')).toBe(768 * 768 * 2);
    expect(byteSize([7])).toBe(28);
  });

  it('uploads packed words and reads them back raw', async () => {
    const rt = await testRuntime();
    const values = new Float32Array([1, -2, 0.5, 65504, 3e-8]);
    const t = rt.tensor([5], 'w', 'f16');
    expect(t.buffer.size).toBe(12);
    rt.write(t, packHalves(values));
    const [raw] = await rt.runRaw([], [t]);
    expect(raw!.byteLength).toBe(12);
    expect([...unpackHalves(new Uint32Array(raw!), 5)]).toEqual([1, -2, 0.5, 65504, 2 ** -24]);
    rt.release(t);
  });

  it('refuses what would misread packed words: floats written, odd offsets, views, copies, float reads', async () => {
    const rt = await testRuntime();
    const t: Tensor = rt.tensor([8], 'w', 'f16');
    expect(() => rt.write(t, new Float32Array(8))).toThrow(/w: packed f16 tensors take packed words/);
    expect(() => rt.write(t, new Uint32Array(1), 1)).toThrow(/even element offset/);
    expect(() => rt.view(t, 0, [4], 'half')).toThrow(/cannot be copied or viewed/);
    await expect(rt.run([], [t])).rejects.toThrow(/read packed f16 tensors with runRaw/);
    rt.release(t);
  });
});
