import { describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/engine/gpu/runtime';
import { embedding } from '../../src/engine/kernels/embedding';
import { embeddingBackward, embeddingPlanTensors, writeEmbeddingPlan } from '../../src/engine/kernels/embedding_backward';
import { embeddingBackwardPlan } from '../../src/engine/kernels/embedding_plan';
import { positionIds } from '../../src/engine/model/positions';
import * as ref from '../../src/reference/embedding';
import { expectClose } from '../helpers/compare';
import { testRuntime } from '../helpers/gpu';
import { dot, expectGradients } from '../helpers/gradcheck';
import { f64, randn, Rng } from '../helpers/random';

// Backward: the GPU adds in the reference's order (stored gradient, then tokens in increasing t) and both
// round to f32 after every add, so they agree exactly. Forward: the reference sums its three f32 terms in
// float64 and rounds once, the GPU rounds twice: at most about one f32 ulp (6e-8 relative) apart, far below
// what a wrong row or channel would give.
const EXACT = { atol: 0, rtol: 0 };
const FORWARD = { atol: 1e-6, rtol: 1e-6 };

/** V, Pmax, TT table rows; BT tokens; C channels. */
interface Dims {
  readonly V: number;
  readonly P: number;
  readonly TT: number;
  readonly BT: number;
  readonly C: number;
}

/** Indices drawn from `rows` values, few enough that BT > rows forces repeats. */
function indices(rng: Rng, BT: number, rows: number): Uint32Array {
  return Uint32Array.from({ length: BT }, () => rng.int(0, rows));
}

function batch(rng: Rng, d: Dims): { ids: Uint32Array; pos: Uint32Array; tt: Uint32Array } {
  return { ids: indices(rng, d.BT, d.V), pos: indices(rng, d.BT, d.P), tt: indices(rng, d.BT, d.TT) };
}

/** Small integers i mod period − period/2: cheap to make at 16M elements (Float32Array.from with a map is slow). */
function sawtooth(n: number, period: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (i % period) - (period >> 1);
  return a;
}

function u32(rt: Runtime, data: Uint32Array, label: string) {
  return rt.tensorFrom(data, [data.length], label);
}

// 1 everywhere; a single table row (repeats on every token); primes; C one past a multiple of the workgroup.
const SHAPES: readonly Dims[] = [
  { V: 1, P: 1, TT: 1, BT: 1, C: 1 },
  { V: 3, P: 5, TT: 1, BT: 7, C: 3 },
  { V: 17, P: 13, TT: 2, BT: 13, C: 17 },
  { V: 50, P: 19, TT: 3, BT: 31, C: 64 },
  { V: 5, P: 11, TT: 1, BT: 9, C: 257 },
];

describe('embedding (reference)', () => {
  it("the engine's position ids equal the reference's (transformers' cumsum formula) on random padded batches", () => {
    const rng = new Rng(7);
    for (const [B, T, pad] of [[3, 17, 1], [1, 1, 1], [5, 9, 0]] as const) {
      const ids = Uint32Array.from({ length: B * T }, () => (rng.uniform(0, 1) < 0.3 ? pad : rng.int(2, 42)));
      expect([...positionIds(ids, B, T, pad)]).toEqual([...ref.robertaPositionIds(ids, B, T, pad)]);
    }
  });

  it('robertaPositionIds counts non-padding tokens per sequence, padding gets padId', () => {
    const ids = Uint32Array.of(0, 5, 6, 2, 1, 1, 0, 1, 7, 2, 1, 1);
    expect([...ref.robertaPositionIds(ids, 2, 6)]).toEqual([2, 3, 4, 5, 1, 1, 2, 1, 3, 4, 1, 1]);
    expect([...ref.robertaPositionIds(Uint32Array.of(4, 0, 4), 1, 3, 4)]).toEqual([4, 5, 4]);
  });

  it('embeddingBackwardPlan groups positions by index, indices ascending, positions ascending', () => {
    const plan = embeddingBackwardPlan(Uint32Array.of(4, 2, 4, 0, 2, 4));
    expect([...plan.unique]).toEqual([0, 2, 4]);
    expect([...plan.offsets]).toEqual([0, 1, 3, 6]);
    expect([...plan.positions]).toEqual([3, 1, 4, 0, 2, 5]);
    const empty = embeddingBackwardPlan(new Uint32Array(0));
    expect([...empty.offsets]).toEqual([0]);
    // padding_idx 2 gets no gradient: its tokens leave `unique` and are parked after the counted ranges.
    const padded = embeddingBackwardPlan(Uint32Array.of(4, 2, 4, 0, 2, 4), 2);
    expect([...padded.unique]).toEqual([0, 4]);
    expect([...padded.offsets]).toEqual([0, 1, 4]);
    expect([...padded.positions]).toEqual([3, 0, 2, 5, 1, 4]);
  });

  it('backward matches finite differences (repeated indices)', () => {
    const rng = new Rng(3);
    const d = { V: 4, P: 5, TT: 2, BT: 9, C: 3 };
    const { ids, pos, tt } = batch(rng, d);
    ids.set([2, 2, 2], 0); // make sure some row gets several tokens
    const [wte, wpe, wtt] = [d.V, d.P, d.TT].map((rows) => f64(randn(rng, rows * d.C)));
    const w = f64(randn(rng, d.BT * d.C));
    const out = new Float64Array(d.BT * d.C);
    const loss = (): number => (ref.embedding(out, ids, pos, tt, wte!, wpe!, wtt!, d.BT, d.C), dot(out, w));
    const grads = [d.V, d.P, d.TT].map((rows) => new Float64Array(rows * d.C));
    ref.embeddingBackward(grads[0]!, grads[1]!, grads[2]!, w, ids, pos, tt, d.BT, d.C);
    expectGradients('embedding', loss, [
      { name: 'wte', value: wte!, grad: grads[0]! },
      { name: 'wpe', value: wpe!, grad: grads[1]! },
      { name: 'wtt', value: wtt!, grad: grads[2]! },
    ]);
  });
});

describe('embedding (GPU)', () => {
  it.each(SHAPES)('forward matches reference, V=$V P=$P TT=$TT BT=$BT C=$C', async (d) => {
    const rt = await testRuntime();
    const rng = new Rng(d.V * 1000 + d.C);
    const { ids, pos, tt } = batch(rng, d);
    const [wte, wpe, wtt] = [d.V, d.P, d.TT].map((rows) => randn(rng, rows * d.C));
    const out = rt.tensor([d.BT, d.C], 'out');
    const tables = [wte!, wpe!, wtt!].map((t, k) => rt.tensorFrom(t, [t.length / d.C, d.C], `table${k}`));
    const launch = embedding(rt, out, u32(rt, ids, 'ids'), u32(rt, pos, 'pos'), u32(rt, tt, 'tt'), tables[0]!, tables[1]!, tables[2]!, d.BT, d.C);
    const [got] = await rt.run([launch], [out]);
    const want = new Float32Array(d.BT * d.C);
    ref.embedding(want, ids, pos, tt, wte!, wpe!, wtt!, d.BT, d.C);
    expectClose(got!, want, FORWARD, 'embedding');
  });

  it('forward with RoBERTa position ids over padded sequences', async () => {
    const rt = await testRuntime();
    const rng = new Rng(11);
    const [B, T, C, V] = [2, 5, 7, 9];
    const ids = Uint32Array.of(0, 4, 8, 2, 1, 0, 3, 2, 1, 1);
    const pos = ref.robertaPositionIds(ids, B, T);
    const tt = new Uint32Array(B * T);
    const [wte, wpe, wtt] = [V, T + 2, 1].map((rows) => randn(rng, rows * C));
    const out = rt.tensor([B * T, C], 'out');
    const tables = [wte!, wpe!, wtt!].map((t, k) => rt.tensorFrom(t, [t.length / C, C], `table${k}`));
    const launch = embedding(rt, out, u32(rt, ids, 'ids'), u32(rt, pos, 'pos'), u32(rt, tt, 'tt'), tables[0]!, tables[1]!, tables[2]!, B * T, C);
    const [got] = await rt.run([launch], [out]);
    const want = new Float32Array(B * T * C);
    ref.embedding(want, ids, pos, tt, wte!, wpe!, wtt!, B * T, C);
    expectClose(got!, want, FORWARD, 'embedding');
  });

  it.each(SHAPES)('backward accumulates like the reference, V=$V P=$P TT=$TT BT=$BT C=$C', async (d) => {
    const rt = await testRuntime();
    const rng = new Rng(d.BT * 100 + d.C);
    const idx = batch(rng, d);
    const rows = [d.V, d.P, d.TT];
    const start = rows.map((r) => randn(rng, r * d.C)); // nonzero: the kernel must add, not overwrite
    const dout = randn(rng, d.BT * d.C);
    const doutT = rt.tensorFrom(dout, [d.BT, d.C], 'dout');
    const grads = start.map((g, k) => rt.tensorFrom(g, [rows[k]!, d.C], `dtable${k}`));
    const launches = [idx.ids, idx.pos, idx.tt].map((ix, k) => {
      const plan = embeddingPlanTensors(rt, rows[k]!, d.BT, `plan${k}`);
      writeEmbeddingPlan(rt, plan, embeddingBackwardPlan(ix));
      return embeddingBackward(rt, grads[k]!, doutT, plan, d.C);
    });
    const got = await rt.run(launches, grads);
    const want = start.map((g) => Float32Array.from(g));
    ref.embeddingBackward(want[0]!, want[1]!, want[2]!, dout, idx.ids, idx.pos, idx.tt, d.BT, d.C);
    for (let k = 0; k < 3; k++) expectClose(got[k]!, want[k]!, EXACT, `embedding_backward table ${k}`);
  });

  it('backward reuses one dispatch record across batches with different unique counts', async () => {
    const rt = await testRuntime();
    const rng = new Rng(5);
    const [V, BT, C] = [23, 11, 5];
    const dtable = new Float32Array(V * C);
    const grad = rt.tensorFrom(dtable, [V, C], 'dwte');
    const doutT = rt.tensor([BT, C], 'dout');
    const plan = embeddingPlanTensors(rt, V, BT, 'plan');
    const [scratch, rowZero] = [new Float32Array(C), new Uint32Array(BT)];
    const launch = embeddingBackward(rt, grad, doutT, plan, C);
    // Eleven distinct rows, then three: stale plan entries past the second count must be ignored.
    const batches = [Uint32Array.from({ length: BT }, (_, t) => (t * 2 + 1) % V), Uint32Array.of(7, 3, 7, 7, 20, 3, 3, 20, 7, 3, 20)];
    for (const ids of batches) {
      const dout = randn(rng, BT * C);
      rt.write(doutT, dout);
      writeEmbeddingPlan(rt, plan, embeddingBackwardPlan(ids));
      const [got] = await rt.run([launch], [grad]);
      // Only the token table is under test: the other two reference tables are scratch.
      ref.embeddingBackward(dtable, scratch, scratch, dout, ids, rowZero, rowZero, BT, C);
      expectClose(got!, dtable, EXACT, 'embedding_backward reused');
    }
    expect(rt.isLost).toBe(false);
  });

  it('launchers reject wrong shapes and dtypes before encoding', async () => {
    const rt = await testRuntime();
    const table = rt.tensor([4, 3], 'table');
    const ids = rt.tensorFrom(Uint32Array.of(0, 1), [2], 'ids');
    const idsF32 = rt.tensorFrom(Float32Array.of(0, 1), [2], 'idsF32');
    const out = rt.tensor([2, 3], 'out');
    expect(() => embedding(rt, out, idsF32, ids, ids, table, table, table, 2, 3)).toThrow(/ids must be u32/);
    expect(() => embedding(rt, out, ids, ids, ids, table, rt.tensor([5], 'wpe'), table, 2, 3)).toThrow(/wpe/);
    const plan = embeddingPlanTensors(rt, 4, 2, 'plan');
    expect(() => writeEmbeddingPlan(rt, plan, embeddingBackwardPlan(Uint32Array.of(1, 4)))).toThrow(/past the table/);
    expect(() => embeddingBackward(rt, rt.tensor([5, 3], 'dtable'), out, plan, 3)).toThrow(/dtable/);
  });

  // BT·C and rows·C both past 65535 workgroups of 256; 65537 is prime, so t·7919 mod 65537 is a permutation
  // and every table row is a unique index: the backward's launch is full.
  it('forward and backward cover the 2-D grid (more than 65535 workgroups)', async () => {
    const rt = await testRuntime();
    const [BT, C, rows] = [65537, 256, 65537];
    const ids = Uint32Array.from({ length: BT }, (_, t) => (t * 7919) % rows);
    const zeros = new Uint32Array(BT);
    const table = sawtooth(rows * C, 251);
    const small = Float32Array.from({ length: C }, (_, c) => c / 8);
    const dout = sawtooth(BT * C, 13);
    const [out, tableT, smallT] = [rt.tensor([BT, C], 'out'), rt.tensorFrom(table, [rows, C], 'wte'), rt.tensorFrom(small, [1, C], 'w1')];
    const [idsT, zerosT] = [u32(rt, ids, 'ids'), u32(rt, zeros, 'zeros')];
    const plan = embeddingPlanTensors(rt, rows, BT, 'plan');
    writeEmbeddingPlan(rt, plan, embeddingBackwardPlan(ids));
    const launches = [
      embedding(rt, out, idsT, zerosT, zerosT, tableT, smallT, smallT, BT, C),
      embeddingBackward(rt, tableT, rt.tensorFrom(dout, [BT, C], 'dout'), plan, C), // the table doubles as its gradient
    ];
    const [gotOut, gotGrad] = await rt.run(launches, [out, tableT]);
    const wantOut = new Float32Array(BT * C);
    ref.embedding(wantOut, ids, zeros, zeros, table, small, small, BT, C);
    expectClose(gotOut!, wantOut, FORWARD, 'embedding 2-D grid');
    ref.embeddingBackward(table, new Float32Array(C), new Float32Array(C), dout, ids, zeros, zeros, BT, C);
    expectClose(gotGrad!, table, EXACT, 'embedding_backward 2-D grid');
  });
});
