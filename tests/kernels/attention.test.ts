import { describe, expect, it } from 'vitest';
import {
  ATTENTION_BLOCK_ROWS as BR,
  ATTENTION_D_CHUNK as DCH,
  ATTENTION_KEY_TILE as BC,
  ATTENTION_WG,
  attention,
  ROW_STATS,
  type AttentionDims,
} from '../../src/engine/kernels/attention';
import {
  ATTENTION_BACKWARD_BLOCK as BB,
  ATTENTION_BACKWARD_D_CHUNK as BDC,
  ATTENTION_BACKWARD_D_SWEEP as BDO,
  attentionBackward,
} from '../../src/engine/kernels/attention_backward';
import type { Runtime } from '../../src/engine/gpu/runtime';
import type { Tensor } from '../../src/engine/gpu/tensor';
import * as ref from '../../src/reference/attention';
import { rngUniform } from '../../src/reference/rng';
import { expectClose } from '../helpers/compare';
import { testRuntime } from '../helpers/gpu';
import { dot, expectGradients } from '../helpers/gradcheck';
import { f64, randn, Rng } from '../helpers/random';

/** (B, T) mask: sequence b keeps its first len_b tokens; every third sequence is full, the others padded. */
function paddingMask(B: number, T: number): Uint32Array {
  const mask = new Uint32Array(B * T);
  for (let b = 0; b < B; b++) {
    const len = b % 3 === 0 ? T : Math.max(1, Math.ceil(T / (b + 1))); // the first token (<s>) always counts
    for (let t = 0; t < len; t++) mask[b * T + t] = 1;
  }
  return mask;
}

interface Inputs {
  readonly q: Float32Array;
  readonly k: Float32Array;
  readonly v: Float32Array;
  readonly pk: Float32Array;
  readonly pv: Float32Array;
  readonly dout: Float32Array;
  readonly mask: Uint32Array;
}

function randomInputs(dims: AttentionDims, seed: number): Inputs {
  const rng = new Rng(seed);
  const n = dims.B * dims.T * dims.H * dims.D;
  const np = dims.P * dims.H * dims.D;
  return {
    q: randn(rng, n),
    k: randn(rng, n),
    v: randn(rng, n),
    pk: randn(rng, np),
    pv: randn(rng, np),
    dout: randn(rng, n),
    mask: paddingMask(dims.B, dims.T),
  };
}

describe('attention reference', () => {
  it('forward matches a hand-computed case with a prefix row, padding and dropout', () => {
    // B=1, T=2, H=1, D=1, P=1: keys are [prefix 2, token 0.5, padding].
    const dims: AttentionDims = { B: 1, T: 2, H: 1, D: 1, P: 1, dropout: 0.5 };
    const [q, k, v, pk, pv] = [[1, 2], [0.5, -1], [3, 4], [2], [-1]].map((a) => f64(a));
    const out = new Float64Array(2);
    const stats = new Float64Array(2 * ROW_STATS);
    const seed = 7;
    ref.attention(out, stats, q!, k!, v!, [1, 0], { pk: pk!, pv: pv! }, seed, dims);
    for (let i = 0; i < 2; i++) {
      const s = [2 * q![i]!, 0.5 * q![i]!];
      const m = Math.max(s[0]!, s[1]!);
      const e = [Math.exp(s[0]! - m), Math.exp(s[1]! - m)];
      // The padding key adds exp(MASKED - m) = 0 to the row sum.
      expect([stats[2 * i], stats[2 * i + 1]]).toEqual([m, expect.closeTo(e[0]! + e[1]!, 12)]);
      const p = [e[0]! / (e[0]! + e[1]!), e[1]! / (e[0]! + e[1]!), 0];
      // Dropout index = the flat (B, H, T, P+T) index of the probability; kept entries are scaled by 1 / (1 - p).
      const f = (j: number): number => (rngUniform(seed, 3 * i + j) >= 0.5 ? 2 : 0);
      expect(out[i]).toBeCloseTo(p[0]! * f(0) * -1 + p[1]! * f(1) * 3, 12);
    }
  });

  // Dropout on: the mask is a fixed function of (seed, index), so the loss stays differentiable.
  it.each([
    { P: 2, dropout: 0 },
    { P: 2, dropout: 0.3 },
    { P: 0, dropout: 0.3 },
  ])('backward matches finite differences, P=$P dropout=$dropout', ({ P, dropout }) => {
    const dims: AttentionDims = { B: 2, T: 3, H: 2, D: 2, P, dropout };
    const seed = 11;
    const x = randomInputs(dims, 3);
    const [q, k, v, pk, pv, w] = [x.q, x.k, x.v, x.pk, x.pv, x.dout].map(f64) as Float64Array[];
    const n = q!.length;
    const prefix = P > 0 ? { pk: pk!, pv: pv! } : null;
    const out = new Float64Array(n);
    const stats = new Float64Array(dims.B * dims.H * dims.T * ROW_STATS);
    const loss = (): number => (ref.attention(out, stats, q!, k!, v!, x.mask, prefix, seed, dims), dot(out, w!));
    loss();
    const grads = [q, k, v, pk, pv].map((a) => new Float64Array(a!.length));
    const [dq, dk, dv, dpk, dpv] = grads as Float64Array[];
    ref.attentionBackward(dq!, dk!, dv!, prefix && dpk!, prefix && dpv!, w!, q!, k!, v!, stats, x.mask, prefix, seed, dims);
    const cases = [
      { name: 'q', value: q!, grad: dq! },
      { name: 'k', value: k!, grad: dk! },
      { name: 'v', value: v!, grad: dv! },
    ];
    if (prefix) cases.push({ name: 'pk', value: pk!, grad: dpk! }, { name: 'pv', value: pv!, grad: dpv! });
    expectGradients('attention', loss, cases);
  });
});

interface GpuCase {
  readonly out: Tensor;
  readonly stats: Tensor;
  readonly grads: Tensor[]; // dq, dk, dv, then dpk, dpv when P > 0
  readonly params: Tensor;
  readonly dispatches: ReturnType<typeof attention>;
}

/** Uploads the inputs and builds forward + backward; dq/dk/dv start as NaN (written), dpk/dpv as dpInit (+=). */
function buildGpuCase(rt: Runtime, dims: AttentionDims, x: Inputs, dpInit: Float32Array): GpuCase {
  const { B, T, H, D, P } = dims;
  const n = B * T * H * D;
  const t = (data: Float32Array, label: string): Tensor => rt.tensorFrom(data, [data.length], label);
  const [q, k, v, dout] = [t(x.q, 'q'), t(x.k, 'k'), t(x.v, 'v'), t(x.dout, 'dout')];
  const mask = rt.tensorFrom(x.mask, [B, T], 'mask');
  const prefix = P > 0 ? { pk: t(x.pk, 'pk'), pv: t(x.pv, 'pv') } : null;
  const out = rt.tensor([B * T, H * D], 'out');
  const stats = rt.tensor([B, H, T, ROW_STATS], 'rowStats');
  const nan = new Float32Array(n).fill(NaN);
  const grads = [t(nan, 'dq'), t(nan, 'dk'), t(nan, 'dv')];
  const dp = prefix ? [t(dpInit, 'dpk'), t(dpInit, 'dpv')] : [];
  const params = rt.uniform(1, 'attention.params');
  const [dq, dk, dv] = grads as [Tensor, Tensor, Tensor];
  const dispatches = [
    ...attention(rt, out, stats, q, k, v, mask, prefix, params, dims),
    ...attentionBackward(rt, dq, dk, dv, dp[0] ?? null, dp[1] ?? null, dout, q, k, v, stats, mask, prefix, params, dims),
  ];
  return { out, stats, grads: [...grads, ...dp], params, dispatches };
}

/** The reference's out, rowStats, dq, dk, dv (and dpk, dpv when P > 0, starting from dpInit). */
function referenceCase(dims: AttentionDims, x: Inputs, dpInit: Float32Array, seed: number): Float64Array[] {
  const { B, T, H, D, P } = dims;
  const n = B * T * H * D;
  const prefix = P > 0 ? { pk: x.pk, pv: x.pv } : null;
  const out = new Float64Array(n);
  const stats = new Float64Array(B * H * T * ROW_STATS);
  ref.attention(out, stats, x.q, x.k, x.v, x.mask, prefix, seed, dims);
  const [dq, dk, dv] = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  const [dpk, dpv] = [f64(dpInit), f64(dpInit)];
  ref.attentionBackward(dq, dk, dv, prefix && dpk, prefix && dpv, x.dout, x.q, x.k, x.v, stats, x.mask, prefix, seed, dims);
  return [out, stats, dq, dk, dv, ...(prefix ? [dpk, dpv] : [])];
}

const NAMES = ['out', 'rowStats', 'dq', 'dk', 'dv', 'dpk', 'dpv'];
// f32 sums of at most P+T (or B*T) products of O(1) terms; row sums are at most P+T.
const TOL = { atol: 3e-6, rtol: 1e-5 };

function expectMatches(got: Float32Array[], want: Float64Array[], what: string): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, idx) => expectClose(g, want[idx]!, TOL, `${what} ${NAMES[idx]}`));
}

/** Dropout actually drops something in this case (so the dropout branches are exercised). */
function dropsSome(dims: AttentionDims, seed: number): boolean {
  const n = dims.B * dims.H * dims.T * (dims.P + dims.T);
  for (let i = 0; i < n; i++) if (rngUniform(seed, i) < Math.fround(dims.dropout)) return true;
  return false;
}

/** Forward and backward on the GPU against the reference, with seeded inputs (and dropout that drops). */
async function matchesReference(dims: AttentionDims, seed: number, what: string): Promise<void> {
  const rt = await testRuntime();
  if (dims.dropout > 0) expect(dropsSome(dims, seed), 'the dropout mask drops nothing: pick another seed').toBe(true);
  const x = randomInputs(dims, seed);
  const dpInit = randn(new Rng(seed + 1), dims.P * dims.H * dims.D);
  const g = buildGpuCase(rt, dims, x, dpInit);
  rt.write(g.params, Uint32Array.of(seed));
  const got = await rt.run(g.dispatches, [g.out, g.stats, ...g.grads]);
  expectMatches(got, referenceCase(dims, x, dpInit, seed), what);
  expect(rt.isLost).toBe(false);
}

describe('attention GPU', () => {
  // Awkward shapes: B, T, H, D, P over 1, primes and non-multiples of the workgroup size; trailing padding
  // in every sequence but each third; the last two go past one workgroup in keys/queries and in columns.
  const cases: [number, number, number, number, number, number][] = [
    [1, 1, 1, 1, 0, 0],
    [2, 5, 2, 4, 1, 0],
    [3, 13, 3, 7, 3, 0],
    [2, 13, 1, 4, 0, 0.5],
    [3, 5, 3, 1, 3, 0.3],
    [1, 13, 2, 7, 1, 0.1],
    [2, 1, 3, 4, 3, 0.1],
    [2, ATTENTION_WG + 3, 1, 3, 2, 0.1],
    [2, 3, 2, ATTENTION_WG + 2, 1, 0.2],
    // The forward's tiles (BR query rows per workgroup, BC keys per tile, DCH head columns per chunk): just
    // over one query block and one key tile, prefix keys filling several tiles and ending inside one, three
    // query blocks, and D past one and two column chunks.
    [2, BR + 1, 2, 5, 0, 0],
    [1, BC + 1, 3, 8, 0, 0.1],
    [2, 9, 2, 3, 2 * BC + 5, 0.2],
    [3, 2 * BR + 3, 1, 4, BC - 1, 0.1],
    [1, BR + 3, 2, DCH + 3, 2, 0.1],
    [1, 5, 1, 2 * DCH + 1, 1, 0],
  ];
  it.each(cases)('matches reference, B=%i T=%i H=%i D=%i P=%i dropout=%f', async (B, T, H, D, P, dropout) => {
    await matchesReference({ B, T, H, D, P, dropout }, 1000 + B * 100 + T, 'attention');
  });

  it('takes a new dropout seed from the uniform without rebuilding the dispatches', async () => {
    const rt = await testRuntime();
    const dims: AttentionDims = { B: 2, T: 5, H: 2, D: 4, P: 1, dropout: 0.3 };
    const x = randomInputs(dims, 5);
    const dpInit = new Float32Array(dims.P * dims.H * dims.D);
    const g = buildGpuCase(rt, dims, x, dpInit);
    rt.write(g.params, Uint32Array.of(1));
    const [first] = await rt.run(g.dispatches, [g.out]);
    rt.write(g.params, Uint32Array.of(2));
    const [second] = await rt.run(g.dispatches, [g.out]);
    expectClose(second!, referenceCase(dims, x, dpInit, 2)[0]!, TOL, 'attention seed 2 out');
    expect(Array.from(second!)).not.toEqual(Array.from(first!));
  });

  it('agrees with the reference on the dropout mask at the f32 threshold', async () => {
    // p rounds to 0.5 in f32 (the override constant), and this seed draws exactly 0.5 for probs[3]: the
    // GPU keeps it (0.5 >= 0.5), so the reference must compare with the rounded p too.
    const dims: AttentionDims = { B: 1, T: 2, H: 1, D: 1, P: 0, dropout: 0.5 + 2 ** -26 };
    const seed = 6503414;
    expect(rngUniform(seed, 3)).toBe(0.5);
    const rt = await testRuntime();
    const x = randomInputs(dims, 9);
    const g = buildGpuCase(rt, dims, x, new Float32Array(0));
    rt.write(g.params, Uint32Array.of(seed));
    const got = await rt.run(g.dispatches, [g.out, g.stats, ...g.grads]);
    expectMatches(got, referenceCase(dims, x, new Float32Array(0), seed), 'attention threshold');
  });

  // One-hot values make out_i column j the forward's p_ij, and a one-hot dout makes dv_j (dpv_j) column i the
  // backward's recomputed p_ij: both are one product by 1 plus exact zeros, so they must agree bit for bit.
  it.each([
    { P: 2, mask: [1, 1, 1, 0, 0] },
    { P: 0, mask: [0, 0, 0, 0, 0] }, // every key masked: the row stays uniform, 1/5
  ])('the backward recomputes the forward probabilities bit for bit, P=$P mask=$mask', async ({ P, mask }) => {
    const dims: AttentionDims = { B: 1, T: 5, H: 2, D: 8, P, dropout: 0 };
    const { T, H, D } = dims;
    const S = P + T;
    const C = H * D;
    const rng = new Rng(21);
    const oneHot = (rows: number, col: (r: number) => number): Float32Array => {
      const a = new Float32Array(rows * C);
      for (let r = 0; r < rows; r++) for (let h = 0; h < H; h++) a[r * C + h * D + col(r)] = 1;
      return a;
    };
    const x: Inputs = {
      q: randn(rng, T * C), k: randn(rng, T * C), pk: randn(rng, P * C),
      v: oneHot(T, (t) => P + t), pv: oneHot(P, (j) => j), dout: oneHot(T, (i) => i), mask: Uint32Array.from(mask),
    };
    const rt = await testRuntime();
    const g = buildGpuCase(rt, dims, x, new Float32Array(P * C));
    rt.write(g.params, Uint32Array.of(0));
    const [out, , , , dv, , dpv] = await rt.run(g.dispatches, [g.out, g.stats, ...g.grads]);
    let kept = 0;
    for (let h = 0; h < H; h++) {
      for (let i = 0; i < T; i++) {
        const forward = Array.from({ length: S }, (_, j) => out![i * C + h * D + j]!);
        const recomputed = forward.map((_, j) => (j < P ? dpv![j * C + h * D + i]! : dv![(j - P) * C + h * D + i]!));
        expect(recomputed).toEqual(forward);
        forward.forEach((p, j) => (j >= P && mask[j - P] === 0 && P > 0 ? expect(p).toBe(0) : (kept += p > 0 ? 1 : 0)));
      }
    }
    expect(kept).toBe(H * T * (P > 0 ? P + 3 : S)); // every unmasked (or all-masked row's) key has p > 0
  });

  it('rejects a prefix when P = 0 and a mask that is not u32', async () => {
    const rt = await testRuntime();
    const dims: AttentionDims = { B: 1, T: 2, H: 1, D: 2, P: 0, dropout: 0 };
    const t = (n: number): Tensor => rt.tensor([n], 't');
    const params = rt.uniform(1, 'params');
    const u32Mask = rt.tensorFrom(Uint32Array.of(1, 1), [1, 2], 'mask');
    expect(() => attention(rt, t(4), t(4), t(4), t(4), t(4), u32Mask, { pk: t(2), pv: t(2) }, params, dims)).toThrow(/prefix/);
    expect(() => attention(rt, t(4), t(4), t(4), t(4), t(4), t(2), null, params, dims)).toThrow(/u32/);
  });
});

describe('attention backward GPU tiling', () => {
  // The backward's tiles: blocks of BB query rows or keys per workgroup, swept against tiles of BB rows of
  // the other side, BDC head columns staged at a time and BDO output columns per sweep. Shapes just over a
  // block (queries and keys), prefix keys over two blocks (the batch sum of dpk/dpv over three sequences),
  // P + T over several key tiles with whole tiles of padding, D past one staged chunk and past one sweep.
  const cases: [number, number, number, number, number, number][] = [
    [2, BB + 1, 2, 3, 0, 0.1],
    [3, 2 * BB + 5, 1, 4, BB + 1, 0.2],
    [2, BB - 1, 2, BDC + 1, BB, 0],
    [1, BB + 2, 1, BDO + 1, 3, 0.1],
  ];
  it.each(cases)('matches reference, B=%i T=%i H=%i D=%i P=%i dropout=%f', async (B, T, H, D, P, dropout) => {
    await matchesReference({ B, T, H, D, P, dropout }, 2000 + B * 100 + T, 'attention backward tiling');
  });

  // As 'recomputes the forward probabilities bit for bit' above, over several key tiles and query blocks and
  // with D past one staged chunk: one-hot values make out_i column j the forward's p_ij, a one-hot dout makes
  // dv_j (dpv_j) column i the backward's recomputed p_ij. Sequence 1 is padded past its first BB - 3 tokens.
  it('recomputes the forward probabilities bit for bit across tiles and column chunks', async () => {
    const dims: AttentionDims = { B: 2, T: BB + 7, H: 1, D: BDC + 16, P: 3, dropout: 0 };
    const { B, T, D, P } = dims;
    const S = P + T;
    const rng = new Rng(22);
    const oneHot = (rows: number, col: (r: number) => number): Float32Array => {
      const a = new Float32Array(rows * D);
      for (let r = 0; r < rows; r++) a[r * D + col(r)] = 1;
      return a;
    };
    const mask = new Uint32Array(B * T).map((_, n) => (n < T || n - T < BB - 3 ? 1 : 0));
    const x: Inputs = {
      q: randn(rng, B * T * D), k: randn(rng, B * T * D), pk: randn(rng, P * D),
      v: oneHot(B * T, (r) => P + (r % T)), pv: oneHot(P, (j) => j), dout: oneHot(B * T, (r) => r % T), mask,
    };
    expect(S).toBeLessThanOrEqual(D); // one column per key
    const rt = await testRuntime();
    const g = buildGpuCase(rt, dims, x, new Float32Array(P * D));
    rt.write(g.params, Uint32Array.of(0));
    const [out, , , , dv] = await rt.run(g.dispatches, [g.out, g.stats, ...g.grads]);
    // dpv sums p_ij over both sequences, so only the token keys' dv is one probability per entry.
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < T; i++) {
        const forward = Array.from({ length: T }, (_, j) => out![(b * T + i) * D + P + j]!);
        const recomputed = forward.map((_, j) => dv![(b * T + j) * D + i]!);
        expect(recomputed).toEqual(forward);
      }
    }
  });
});
