import { describe, expect, it } from 'vitest';
import type { Dispatch, Runtime } from '../../src/engine/gpu/runtime';
import type { Tensor } from '../../src/engine/gpu/tensor';
import { retrievalRank, setQueryOffset } from '../../src/engine/kernels/retrieval_rank';
import * as ref from '../../src/reference/retrieval_rank';
import { runtimesFor, testRuntime } from '../helpers/gpu';
import { randn, Rng } from '../helpers/random';

/** Rank by sorting, independently of the counting reference: equal scores sort ahead of the query's own. */
function sortedRank(scores: Float32Array, q: number, N: number, i: number): number {
  const row = Array.from(scores.subarray(q * N, q * N + N), (s, j) => ({ s, j }));
  row.sort((a, b) => b.s - a.s || (a.j === i ? 1 : b.j === i ? -1 : 0));
  return row.findIndex((e) => e.j === i) + 1;
}

/** Scores with many exact ties on even rows (quarters in [0, 2)), continuous normals on odd rows. */
function scoresInput(rng: Rng, Q: number, N: number): Float32Array {
  const s = randn(rng, Q * N);
  for (let q = 0; q < Q; q += 2) for (let j = 0; j < N; j++) s[q * N + j] = rng.int(0, 8) / 4;
  return s;
}

async function readRanks(rt: Runtime, dispatch: Dispatch, ranks: Tensor): Promise<Uint32Array> {
  const [bytes] = await rt.runRaw([dispatch], [ranks]);
  return new Uint32Array(bytes!);
}

describe('retrieval_rank', () => {
  it('reference counts ties against the query and gives rank 0 to a query without a candidate', () => {
    // i0 = 1: row 0 is query 1 (its score 2 ties with candidate 2 and loses to candidate 3),
    // row 1 is query 2 (strictly best), row 2 is query 3 (everything ties), row 3 is query 4 (no candidate 4).
    const scores = Float32Array.of(1, 2, 2, 3, /* */ 0, 1, 5, -1, /* */ 7, 7, 7, 7, /* */ 1, 2, 3, 4);
    const ranks = new Uint32Array(4);
    ref.retrievalRank(ranks, scores, 4, 4, 1);
    expect(Array.from(ranks)).toEqual([3, 1, 4, 0]);
  });

  it('reference agrees with ranking by sort on tie-heavy and continuous scores', () => {
    const rng = new Rng(5);
    const [Q, N, i0] = [12, 9, 0];
    const scores = scoresInput(rng, Q, N);
    const ranks = new Float64Array(Q);
    ref.retrievalRank(ranks, scores, Q, N, i0);
    for (let q = 0; q < Q; q++) expect(ranks[q], `query ${q}`).toBe(q + i0 < N ? sortedRank(scores, q, N, q + i0) : 0);
  });

  it('MRR and recall@k follow CodeXGLUE: 1/rank (no cutoff, as AdvTest), optional top-1000 cutoff; ranks below 1 are rejected', () => {
    expect(ref.mrrFromRanks([1, 2, 4, 1000, 1001], 1000)).toBeCloseTo((1 + 0.5 + 0.25 + 0.001 + 0) / 5, 15);
    expect(ref.mrrFromRanks([1001])).toBeCloseTo(1 / 1001, 15);
    expect(ref.recallAtK([1, 2, 4, 1001], 1)).toBe(0.25);
    expect(ref.recallAtK([1, 2, 4, 1001], 4)).toBe(0.75);
    expect(() => ref.mrrFromRanks([1, 0])).toThrow(/rank\[1\] = 0/);
    expect(() => ref.recallAtK([], 1)).toThrow(/at least one query/);
  });

  // (Q, N, i0): 1s, primes, queries past the last candidate (rank 0), N past the 256-wide workgroup, N=10,000.
  const shapes: [number, number, number][] = [[1, 1, 0], [3, 7, 2], [4, 13, 11], [5, 257, 100], [2, 10000, 9998]];

  describe.each(runtimesFor('subgroups'))('GPU %s', (_, getRuntime) => {
    it.each(shapes)('GPU matches the reference, Q=%i N=%i i0=%i', async (Q, N, i0) => {
      const rt = await getRuntime();
      const rng = new Rng(Q * 7919 + N + i0);
      const scores = scoresInput(rng, Q, N);
      const t = {
        ranks: rt.tensorFrom(new Uint32Array(Q).fill(0xdeadbeef), [Q], 'ranks'), // every rank must be written
        scores: rt.tensorFrom(scores, [Q, N], 'scores'),
        chunk: rt.uniform(1, 'chunk'),
      };
      setQueryOffset(rt, t.chunk, i0);
      const got = await readRanks(rt, retrievalRank(rt, t.ranks, t.scores, t.chunk, Q, N), t.ranks);
      const want = new Uint32Array(Q);
      ref.retrievalRank(want, scores, Q, N, i0);
      expect(Array.from(got)).toEqual(Array.from(want));
      rt.release(...Object.values(t));
      expect(rt.isLost).toBe(false);
    });
  });

  it('GPU reuses one record across chunks: only the i0 uniform and the scores change', async () => {
    const rt = await testRuntime();
    const rng = new Rng(17);
    const [Q, N] = [4, 11];
    const t = { ranks: rt.tensor([Q], 'ranks', 'u32'), scores: rt.tensor([Q, N], 'scores'), chunk: rt.uniform(1, 'chunk') };
    const dispatch = retrievalRank(rt, t.ranks, t.scores, t.chunk, Q, N);
    for (const i0 of [0, 4, 8]) {
      const scores = scoresInput(rng, Q, N);
      rt.write(t.scores, scores);
      setQueryOffset(rt, t.chunk, i0);
      const want = new Uint32Array(Q);
      ref.retrievalRank(want, scores, Q, N, i0);
      expect(Array.from(await readRanks(rt, dispatch, t.ranks)), `i0=${i0}`).toEqual(Array.from(want));
    }
    rt.release(...Object.values(t));
  });

  it('GPU handles more than 65535 queries (2-D grid)', async () => {
    const rt = await testRuntime();
    const [Q, N] = [65537, 3];
    const rng = new Rng(23);
    const scores = scoresInput(rng, Q, N);
    const t = {
      ranks: rt.tensorFrom(new Uint32Array(Q).fill(0xdeadbeef), [Q], 'ranks'),
      scores: rt.tensorFrom(scores, [Q, N], 'scores'),
      chunk: rt.uniform(1, 'chunk'),
    };
    // The grid is (32769, 2): queries 0..2 have a candidate and real ranks; the sentinel-filled ranks prove
    // that every query, the second grid row's included, is written (with 0: no candidate).
    const i0 = 0;
    setQueryOffset(rt, t.chunk, i0);
    const got = await readRanks(rt, retrievalRank(rt, t.ranks, t.scores, t.chunk, Q, N), t.ranks);
    const want = new Uint32Array(Q);
    ref.retrievalRank(want, scores, Q, N, i0);
    expect(Array.from(got)).toEqual(Array.from(want));
    rt.release(...Object.values(t));
  });

  it('launcher rejects f32 ranks and setQueryOffset rejects a non-u32 offset', async () => {
    const rt = await testRuntime();
    const t = { ranks: rt.tensor([2], 'ranks'), scores: rt.tensor([2, 3], 'scores'), chunk: rt.uniform(1, 'chunk') };
    expect(() => retrievalRank(rt, t.ranks, t.scores, t.chunk, 2, 3)).toThrow(/ranks must be u32/);
    expect(() => setQueryOffset(rt, t.chunk, -1)).toThrow(/i0 must be a u32/);
    rt.release(...Object.values(t));
  });
});
