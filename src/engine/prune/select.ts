/**
 * Which weights a pruning round removes, as `torch.nn.utils.prune` decides it (the pruning paper's tool):
 *
 * - a round removes `amount` of the weights that are still unpruned (torch's PruningContainer: 10% per round of
 *   a lottery-ticket schedule is 10% of what is left), counted as Python's `round(amount · n)` — half to even;
 * - `l1` removes the smallest |w| (`l1_unstructured`), `random` the largest of one uniform draw per remaining
 *   weight (`random_unstructured`: topk of `rand_like`);
 * - `per-tensor` (the paper's "layer-wise") selects in each tensor alone, `global` across the concatenation of
 *   every prunable tensor in order (`global_unstructured`).
 *
 * Ties: torch leaves the order of equal scores to `topk`; here the earlier index goes first (stable). Masks are
 * 1 = kept, 0 = pruned; a pruned weight never comes back.
 */
import { mulberry32 } from '../rng/mulberry32';

export type PruneSelection = 'l1' | 'random';
export type PruneScope = 'global' | 'per-tensor';

export interface PruneRound {
  readonly selection: PruneSelection;
  readonly scope: PruneScope;
  /** Fraction of the still-unpruned weights to remove, in [0, 1]. */
  readonly amount: number;
}

/** Python's round(): halves go to the even neighbour (round(2.5) = 2), as torch's _compute_nparams_toprune uses. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** One tensor's weights and its current mask (same length). */
export interface PrunableTensor {
  readonly values: Float32Array;
  readonly mask: Uint8Array;
}

/** A score per weight: higher is kept longer. */
type Scores = (tensor: number, index: number) => number;

interface Candidate {
  readonly tensor: number;
  readonly index: number;
  readonly score: number;
}

/** The unpruned weights of `tensors`, in order (tensor by tensor, index within). */
function candidates(tensors: readonly PrunableTensor[], which: readonly number[], score: Scores): Candidate[] {
  const out: Candidate[] = [];
  for (const t of which) {
    const { mask } = tensors[t]!;
    for (let i = 0; i < mask.length; i++) if (mask[i] === 1) out.push({ tensor: t, index: i, score: score(t, i) });
  }
  return out;
}

/** Zeroes the masks of the `k` lowest-scored candidates (stable: an earlier candidate goes first among equals). */
function removeLowest(tensors: readonly PrunableTensor[], pool: Candidate[], k: number): void {
  const order = pool.map((_, i) => i).sort((a, b) => pool[a]!.score - pool[b]!.score || a - b);
  for (let j = 0; j < k; j++) {
    const c = pool[order[j]!]!;
    tensors[c.tensor]!.mask[c.index] = 0;
  }
}

/**
 * Applies one round to the masks in place; returns how many weights it removed. `uniform` draws the random
 * selection's scores in [0, 1), one per unpruned weight in candidate order (tensor by tensor).
 */
export function pruneRound(tensors: readonly PrunableTensor[], round: PruneRound, uniform: () => number = Math.random): number {
  if (!(round.amount >= 0 && round.amount <= 1)) throw new RangeError(`pruning amount must be in [0, 1], got ${round.amount}`);
  for (const t of tensors) if (t.mask.length !== t.values.length) throw new RangeError('a mask must have one entry per weight');
  // torch keeps the top-k of the random draw: the lowest "keep score" is the highest draw.
  const score: Scores = round.selection === 'l1' ? (t, i) => Math.abs(tensors[t]!.values[i]!) : () => -uniform();
  const groups = round.scope === 'global' ? [tensors.map((_, t) => t)] : tensors.map((_, t) => [t]);
  let removed = 0;
  for (const group of groups) {
    const pool = candidates(tensors, group, score);
    const k = roundHalfEven(round.amount * pool.length);
    removeLowest(tensors, pool, k);
    removed += k;
  }
  return removed;
}

/** Uniform draws in [0, 1) from a seed (mulberry32, as the data order): the random selection, reproducible. */
export function seededUniform(seed: number): () => number {
  return mulberry32(seed >>> 0 || 1);
}

/** The share of weights pruned across `tensors`. */
export function sparsity(tensors: readonly PrunableTensor[]): number {
  let zeros = 0;
  let total = 0;
  for (const { mask } of tensors) {
    total += mask.length;
    for (let i = 0; i < mask.length; i++) zeros += mask[i] === 0 ? 1 : 0;
  }
  return total === 0 ? 0 : zeros / total;
}
