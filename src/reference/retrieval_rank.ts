/**
 * Retrieval evaluation with CodeXGLUE code-search semantics: query i's correct candidate is candidate i
 * (queries and candidates are paired one to one), its rank is its 1-based position among all N candidates
 * sorted by score, and ties count against the query (a candidate scoring the same is ranked ahead).
 */
import type { Vec } from './types';

/**
 * No cutoff: the AdvTest evaluator (run.py) counts every rank (1/rank however low). Some other CodeXGLUE
 * code-search evaluators keep only the top 1000 (`sort_id[:1000]`); pass 1000 as the cutoff for those.
 */
export const MRR_CUTOFF = Number.POSITIVE_INFINITY;

/**
 * ranks (Q) for the score block scores (Q, N): rows are queries i0..i0+Q−1, columns all N candidates.
 * ranks[q] = 1 + #{ j ≠ i : scores[q, j] >= scores[q, i] }, i = i0 + q; 0 when i >= N (the query has no
 * candidate: a caller bug that mrrFromRanks and recallAtK reject).
 */
export function retrievalRank(ranks: Vec | Uint32Array, scores: Vec, Q: number, N: number, i0: number): void {
  for (let q = 0; q < Q; q++) {
    const i = i0 + q;
    if (i >= N) {
      ranks[q] = 0;
      continue;
    }
    const s = scores[q * N + i]!;
    let ahead = 0;
    for (let j = 0; j < N; j++) if (j !== i && scores[q * N + j]! >= s) ahead++;
    ranks[q] = 1 + ahead;
  }
}

function checkRanks(ranks: ArrayLike<number>): void {
  if (ranks.length === 0) throw new Error('retrieval metrics need at least one query');
  for (let q = 0; q < ranks.length; q++) {
    const r = ranks[q]!;
    if (!Number.isInteger(r) || r < 1) throw new Error(`rank[${q}] = ${r}: ranks are integers >= 1`);
  }
}

/** Mean reciprocal rank; ranks past `cutoff` count 0 (no cutoff by default, as AdvTest's run.py). */
export function mrrFromRanks(ranks: ArrayLike<number>, cutoff = MRR_CUTOFF): number {
  checkRanks(ranks);
  let sum = 0;
  for (let q = 0; q < ranks.length; q++) if (ranks[q]! <= cutoff) sum += 1 / ranks[q]!;
  return sum / ranks.length;
}

/** Fraction of queries whose correct candidate is in the top k. */
export function recallAtK(ranks: ArrayLike<number>, k: number): number {
  checkRanks(ranks);
  let hits = 0;
  for (let q = 0; q < ranks.length; q++) if (ranks[q]! <= k) hits++;
  return hits / ranks.length;
}
