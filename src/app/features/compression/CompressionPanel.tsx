/**
 * Compression results: every pruning schedule on the page as the paper draws it (metric against sparsity,
 * seeds as mean ± std) and as a table, round by round — shown once a schedule run exists.
 */
import { useMemo } from 'react';
import { sparsitySeries, type SparsitySeries } from '../../../engine/report/sparsity_series';
import { scheduleLabel } from '../../../engine/prune/schedule_config';
import { Card } from '../../components/Card';
import { seedGroupKey, type RunRecord } from '../../lib/run_types';
import { useTransitioned } from '../../store/useTransitioned';
import { SparsityChart } from './SparsityChart';

function scheduleSeries(runs: readonly RunRecord[]): SparsitySeries[] {
  const schedules = runs.filter((r) => r.config.pruning && r.rounds && r.rounds.length > 0);
  return sparsitySeries(schedules.map((r) => ({ name: r.name, label: `${r.method} · ${scheduleLabel(r.config.pruning!)}`, groupKey: seedGroupKey(r.config), rounds: r.rounds! })));
}

const pct = (x: number): string => (100 * x).toFixed(2);

function RoundsTable({ series }: { readonly series: readonly SparsitySeries[] }) {
  return (
    <table className="runs" data-testid="rounds-table">
      <thead>
        <tr>
          <th>Schedule</th>
          <th>Round</th>
          <th>Sparsity (%)</th>
          <th>Valid (%)</th>
          <th>Runs</th>
        </tr>
      </thead>
      <tbody>
        {series.flatMap((s) =>
          s.points.map((p) => (
            <tr key={`${s.label}-${p.round}`} data-testid="round-row">
              <td>{p.round === 0 ? s.label : ''}</td>
              <td>{p.round}</td>
              <td>{pct(p.sparsity)}</td>
              <td>{p.n > 1 ? `${pct(p.mean)} ± ${pct(p.std)}` : pct(p.mean)}</td>
              <td>{p.n}</td>
            </tr>
          )),
        )}
      </tbody>
    </table>
  );
}

export function CompressionPanel() {
  const runs = useTransitioned((s) => s.runs);
  const series = useMemo(() => scheduleSeries(runs), [runs]);
  if (!runs.some((r) => r.config.pruning)) return null;
  return (
    <Card title="Compression: metric vs sparsity" testId="compression-panel">
      <SparsityChart series={series} />
      {series.length > 0 ? <RoundsTable series={series} /> : <p className="muted small">The chart fills in as the schedule&apos;s rounds finish.</p>}
    </Card>
  );
}
