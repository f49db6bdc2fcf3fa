/**
 * An iterative pruning schedule as plain data (a run configuration's `pruning`): the pruning paper's lottery-ticket
 * rounds — fine-tune, prune a fraction of what is left, rewind, fine-tune again — with its three ways of choosing
 * the weights a round prunes from (docs/COMPRESSION.md):
 *
 * - picking last, the paper's experiments 1–2 (`pick: 'last'`, no early stop): the weights at the end of the round;
 * - picking last with early stopping (`pick: 'last', earlyStop: true`): the round stops when a validation score is
 *   below both of the two before it, and its last weights are pruned;
 * - picking best (`pick: 'best', earlyStop: true`), and picking best without stopping (`pick: 'best'`): the
 *   weights of the round's best validation score.
 */
import { FieldReader } from '../peft/fields';
import { PRUNABLE_SET_NAMES, type PrunableSet } from './masks';
import type { PruneScope, PruneSelection } from './select';

export type PickRule = 'last' | 'best';

/**
 * Where a round's training starts after pruning: the run's starting weights (the lottery ticket's rewind to
 * the pre-trained model, or to the fine-tuned model the run started from), the weights the dense first round
 * chose (the paper's "rewind to fine-tuned CodeBERT" in one run), or the pruned weights themselves (no rewind).
 */
export type RewindTarget = 'start' | 'first-round' | 'none';

export interface PruneSchedule {
  /** Pruning rounds after the dense first round: the run fine-tunes rounds + 1 times. */
  readonly rounds: number;
  /** Fraction of the still-unpruned weights each round removes. */
  readonly amount: number;
  readonly selection: PruneSelection;
  readonly scope: PruneScope;
  readonly pick: PickRule;
  readonly earlyStop: boolean;
  readonly rewind: RewindTarget;
  /** Which weights may be pruned (masks.ts PRUNABLE_SETS); a model that already has masks keeps its own set. */
  readonly prunable: PrunableSet;
}

/** The paper's experiment 1: three rounds of 10%, global L1, the last weights, rewound to the start. */
export const DEFAULT_SCHEDULE: PruneSchedule = { rounds: 3, amount: 0.1, selection: 'l1', scope: 'global', pick: 'last', earlyStop: false, rewind: 'start', prunable: 'paper' };

export const MAX_ROUNDS = 100;

export function readPruneSchedule(f: FieldReader): PruneSchedule {
  const d = DEFAULT_SCHEDULE;
  f.rejectUnknown(Object.keys(d));
  return {
    rounds: f.int('rounds', 1, MAX_ROUNDS, d.rounds),
    amount: f.num('amount', 0.001, 0.999, d.amount),
    selection: f.oneOf('selection', ['l1', 'random'], d.selection),
    scope: f.oneOf('scope', ['global', 'per-tensor'], d.scope),
    pick: f.oneOf('pick', ['last', 'best'], d.pick),
    earlyStop: f.bool('earlyStop', d.earlyStop),
    rewind: f.oneOf('rewind', ['start', 'first-round', 'none'], d.rewind),
    prunable: f.oneOf('prunable', PRUNABLE_SET_NAMES, d.prunable),
  };
}

/** The schedule's problems with a recipe: picking and stopping need evaluations during a round. */
export function scheduleProblems(s: PruneSchedule, evalEvery: number): string[] {
  if (evalEvery > 0 || (s.pick === 'last' && !s.earlyStop)) return [];
  const what = s.earlyStop ? 'early stopping' : 'picking the best weights';
  return [`run.pruning: ${what} needs evaluations during each round: set recipe.evalEvery (e.g. 100, as the paper measures)`];
}

/** The prunable weights left after `round` rounds: (1 − amount)^round of them. */
export function densityAfter(s: PruneSchedule, round: number): number {
  return (1 - s.amount) ** round;
}

/** A short name for tables and legends, e.g. "3×10% L1 global, best, stop". */
export function scheduleLabel(s: PruneSchedule): string {
  const pick = s.pick === 'best' ? 'best' : 'last';
  const rewind = s.rewind === 'start' ? '' : s.rewind === 'none' ? ', no rewind' : ', rewind to round 0';
  const set = s.prunable === 'paper' ? '' : ` (${s.prunable} only)`;
  return `${s.rounds}×${+(100 * s.amount).toFixed(2)}% ${s.selection === 'l1' ? 'L1' : 'random'} ${s.scope}${set}, ${pick}${s.earlyStop ? ', stop' : ''}${rewind}`;
}
