/**
 * A pruning schedule's output on the command line: each round's weights and masks written into --out as the
 * round ends (a crash or Ctrl-C keeps the last finished round), a line per round while it runs, and the table
 * of sparsity against the metric at the end, with a bar per round so the trend reads at a glance.
 */
import { join } from 'node:path';
import { MASKS_FILE, encodeMasks } from '../engine/prune/masks_file';
import type { RoundResult } from '../engine/prune/schedule';
import { scheduleLabel, type PruneSchedule } from '../engine/prune/schedule_config';
import type { PruneRoundEvent } from '../engine/train/events';
import { metricLabel } from '../engine/train/task';
import { RUN_CONFIG_FILE } from './adapter_dir';
import { writeFileAtomic } from './out_dir';
import { writeWeights, type WeightsTarget } from './run_weights';

export function writeRound(target: WeightsTarget, round: RoundResult, schedule: PruneSchedule): void {
  const e = round.event;
  const shapes = new Map(target.plan.base.map((s) => [s.name, s.shape]));
  const meta = { sparsity: e.sparsity.toFixed(6), round: String(e.round), schedule: scheduleLabel(schedule) };
  writeFileAtomic(join(target.out, MASKS_FILE), encodeMasks(round.masks, shapes, meta));
  writeWeights(target, round.trained, `round ${e.round}'s ${e.picked_step === null ? 'last' : `step-${e.picked_step}`} weights`, [MASKS_FILE, 'metrics.jsonl', RUN_CONFIG_FILE]);
}

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;
const score = (e: PruneRoundEvent): string => (e.value === null ? '—' : e.value.toFixed(4));

export function roundLine(e: PruneRoundEvent): string {
  const stop = e.stopped_early ? ', stopped early' : '';
  return `round ${e.round}  sparsity ${pct(e.sparsity)}${e.pruned > 0 ? ` (${e.pruned.toLocaleString('en-US')} more pruned)` : ''}  ${e.steps} steps${stop}  ${metricLabel(e.metric)} ${score(e)} (weights of step ${e.picked_step ?? '—'})`;
}

const BAR = 30;

/** The rounds as a table on stdout: sparsity, steps, chosen step, metric, and a bar scaled to the best round. */
export function roundsTable(rounds: readonly PruneRoundEvent[]): string {
  if (rounds.length === 0) return 'no round finished\n';
  const metric = metricLabel(rounds[0]!.metric);
  const top = Math.max(...rounds.map((e) => e.value ?? 0), 1e-12);
  const head = `round  sparsity  steps  picked  ${metric.padStart(7)}`;
  const rows = rounds.map((e) => {
    const bar = '█'.repeat(Math.round((BAR * Math.max(e.value ?? 0, 0)) / top));
    return `${String(e.round).padStart(5)}  ${pct(e.sparsity).padStart(8)}  ${String(e.steps).padStart(5)}  ${String(e.picked_step ?? '—').padStart(6)}  ${score(e).padStart(7)}  ${bar}`;
  });
  return `${[head, ...rows].join('\n')}\n`;
}
