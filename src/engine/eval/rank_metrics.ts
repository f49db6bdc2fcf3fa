/** MRR and recall@k from 1-based ranks (AdvTest: no top-k cutoff, every query counts). */

export function meanReciprocalRank(ranks: ArrayLike<number>): number {
  let sum = 0;
  for (let q = 0; q < ranks.length; q++) sum += 1 / checkedRank(ranks, q);
  return sum / nonEmpty(ranks);
}

export function recallAt(ranks: ArrayLike<number>, k: number): number {
  let hits = 0;
  for (let q = 0; q < ranks.length; q++) if (checkedRank(ranks, q) <= k) hits++;
  return hits / nonEmpty(ranks);
}

function checkedRank(ranks: ArrayLike<number>, q: number): number {
  const r = ranks[q]!;
  if (!Number.isInteger(r) || r < 1) throw new Error(`rank[${q}] = ${r}: ranks are integers >= 1`);
  return r;
}

function nonEmpty(ranks: ArrayLike<number>): number {
  if (ranks.length === 0) throw new Error('metrics need at least one query');
  return ranks.length;
}
