/** The metric-vs-sparsity series: seeds of one schedule are one series (mean ± std per round); others apart. */
import { describe, expect, it } from 'vitest';
import { sparsitySeries, type ScheduleRun } from '../../src/engine/report/sparsity_series';
import type { PruneRoundEvent } from '../../src/engine/train/events';

function rounds(values: readonly (number | null)[]): PruneRoundEvent[] {
  return values.map((value, round) => ({ type: 'prune-round', round, sparsity: 1 - 0.9 ** round, pruned: 0, steps: 10, stopped_early: false, picked_step: 10 * (round + 1), metric: 'mrr', value }));
}

const run = (name: string, groupKey: string, values: readonly (number | null)[]): ScheduleRun => ({ name, label: `L1 ${groupKey}`, groupKey, rounds: rounds(values) });

describe('sparsity series', () => {
  it('groups seeds into mean ± std per round, counting the runs that reached each round', () => {
    const series = sparsitySeries([run('a', 'g', [0.5, 0.4, 0.3, 0.2]), run('b', 'g', [0.3, 0.2, 0.1]), run('c', 'h', [0.6, null]), run('d', 'i', [])]);
    expect(series.map((s) => [s.label, s.runs])).toEqual([['L1 g', ['a', 'b']], ['L1 h', ['c']]]);
    const g = series[0]!.points;
    expect(g.map((p) => [p.round, p.n])).toEqual([[0, 2], [1, 2], [2, 2], [3, 1]]);
    expect(g[0]!.mean).toBeCloseTo(0.4, 12);
    expect(g[0]!.std).toBeCloseTo(0.1, 12); // population std, as the results table
    expect(g[3]).toMatchObject({ mean: 0.2, std: 0, sparsity: 1 - 0.9 ** 3 });
    // A round without a value (never evaluated) is left out, not drawn as 0.
    expect(series[1]!.points.map((p) => p.round)).toEqual([0]);
    expect(series[0]!.metric).toBe('mrr');
  });
});
