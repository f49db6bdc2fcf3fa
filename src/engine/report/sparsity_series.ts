/**
 * The pruning paper's figures: a schedule's metric against sparsity, round by round. Runs that differ only by
 * seed are one series, each round's value their mean ± std (as the results table groups them); a run still
 * going contributes the rounds it has finished.
 */
import type { PruneRoundEvent } from '../train/events';
import { meanStd } from './stats';

export interface ScheduleRun {
  readonly name: string;
  /** The series' name (its method and schedule). */
  readonly label: string;
  /** Everything but the seed: runs with the same key are one series. */
  readonly groupKey: string;
  readonly rounds: readonly PruneRoundEvent[];
}

export interface SparsityPoint {
  readonly round: number;
  /** Mean sparsity of the runs at this round (the same for every seed of an L1 or random schedule). */
  readonly sparsity: number;
  readonly mean: number;
  readonly std: number;
  /** Runs with a value at this round. */
  readonly n: number;
}

export interface SparsitySeries {
  readonly label: string;
  readonly metric: string;
  readonly runs: readonly string[];
  readonly points: readonly SparsityPoint[];
}

export function sparsitySeries(runs: readonly ScheduleRun[]): SparsitySeries[] {
  const groups = new Map<string, ScheduleRun[]>();
  for (const r of runs) if (r.rounds.length > 0) groups.set(r.groupKey, [...(groups.get(r.groupKey) ?? []), r]);
  return [...groups.values()].map((g) => {
    const last = Math.max(...g.flatMap((r) => r.rounds.map((e) => e.round)));
    const points: SparsityPoint[] = [];
    for (let round = 0; round <= last; round++) {
      const here = g.flatMap((r) => r.rounds.filter((e) => e.round === round));
      const value = meanStd(here.map((e) => e.value ?? Number.NaN));
      const sparsity = meanStd(here.map((e) => e.sparsity));
      if (value && sparsity) points.push({ round, sparsity: sparsity.mean, mean: value.mean, std: value.std, n: value.n });
    }
    return { label: g[0]!.label, metric: g[0]!.rounds[0]!.metric, runs: g.map((r) => r.name), points };
  });
}
