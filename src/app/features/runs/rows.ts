/**
 * The runs table's rows: runs that differ only by seed form a group with mean ± std (the thesis' way of
 * reporting), single runs stand alone; groups and runs sort together by the chosen column.
 */
import { meanStd, type MeanStd } from '../../../engine/report/stats';
import { pointScore, seedGroupKey, type EvalPoint, type RunRecord } from '../../lib/run_types';
import type { SortKey } from '../../store/uiSlice';

export interface GroupStats {
  readonly bestMrr: MeanStd | null;
  readonly finalMrr: MeanStd | null;
  readonly recall1: MeanStd | null;
  readonly recall5: MeanStd | null;
  readonly recall10: MeanStd | null;
  readonly time: MeanStd | null;
  readonly peak: MeanStd | null;
}

export type TableRow =
  | { readonly kind: 'run'; readonly run: RunRecord; readonly inGroup: boolean }
  | { readonly kind: 'group'; readonly key: string; readonly runs: readonly RunRecord[]; readonly stats: GroupStats };

const FINISHED = new Set(['done', 'stopped']);

/**
 * The three numbers beside a run's score at its best evaluation: recall at 1, 5 and 10 for code search; accuracy,
 * F1 and AUC-ROC for classification (NaN where AUC is undefined).
 */
export function detailOf(p: EvalPoint | null): readonly [number, number, number] | null {
  if (!p) return null;
  return p.cls ? [p.cls.accuracy, p.cls.f1, p.cls.auc ?? Number.NaN] : [p.recall1, p.recall5, p.recall10];
}

export function groupStats(runs: readonly RunRecord[]): GroupStats {
  const done = runs.filter((r) => FINISHED.has(r.status));
  const of = (f: (r: RunRecord) => number | undefined): MeanStd | null => meanStd(done.map(f).filter((v): v is number => v !== undefined && Number.isFinite(v)));
  return {
    bestMrr: of((r) => (r.best ? pointScore(r.best) : undefined)),
    finalMrr: of((r) => (r.final ? pointScore(r.final) : undefined)),
    recall1: of((r) => detailOf(r.best)?.[0]),
    recall5: of((r) => detailOf(r.best)?.[1]),
    recall10: of((r) => detailOf(r.best)?.[2]),
    time: of((r) => r.elapsedMs),
    peak: of((r) => r.peakBytes),
  };
}

function value(run: RunRecord, key: SortKey): number | string {
  switch (key) {
    case 'created':
      return run.createdAt;
    case 'method':
      return run.method;
    case 'trainable':
      return run.trainable?.percentExact ?? -1;
    case 'bestMrr':
      return run.best ? pointScore(run.best) : -1;
    case 'finalMrr':
      return run.final ? pointScore(run.final) : -1;
    case 'recall1':
      return detailOf(run.best)?.[0] ?? -1;
    case 'time':
      return run.elapsedMs;
    case 'peak':
      return run.peakBytes;
  }
}

function groupValue(runs: readonly RunRecord[], stats: GroupStats, key: SortKey): number | string {
  const byKey: Partial<Record<SortKey, MeanStd | null>> = { bestMrr: stats.bestMrr, finalMrr: stats.finalMrr, recall1: stats.recall1, time: stats.time, peak: stats.peak };
  if (key in byKey) return byKey[key]?.mean ?? -1;
  return value(runs[0]!, key);
}

function compare(a: number | string, b: number | string): number {
  return typeof a === 'string' || typeof b === 'string' ? String(a).localeCompare(String(b)) : a - b;
}

export function tableRows(runs: readonly RunRecord[], key: SortKey, descending: boolean): TableRow[] {
  const groups = new Map<string, RunRecord[]>();
  for (const run of runs) {
    const k = seedGroupKey(run.config);
    groups.set(k, [...(groups.get(k) ?? []), run]);
  }
  const units = [...groups.entries()].map(([k, members]) => {
    if (members.length === 1) return { sort: value(members[0]!, key), rows: [{ kind: 'run', run: members[0]!, inGroup: false } as TableRow] };
    const stats = groupStats(members);
    const sorted = [...members].sort((a, b) => a.config.recipe.seed - b.config.recipe.seed);
    const rows: TableRow[] = [{ kind: 'group', key: k, runs: sorted, stats }, ...sorted.map((run): TableRow => ({ kind: 'run', run, inGroup: true }))];
    return { sort: groupValue(members, stats, key), rows };
  });
  units.sort((a, b) => (descending ? -1 : 1) * compare(a.sort, b.sort));
  return units.flatMap((u) => u.rows);
}
