/**
 * Every run: method, trainable %, best/final MRR, recall@k, time, peak memory; seed-only groups as
 * mean ± std; sortable columns; CSV/JSON export of all runs and metrics; delete.
 */
import { useMemo } from 'react';
import { Card } from '../../components/Card';
import { download, metricsCsv, runsCsv, runsJson } from '../../lib/export_runs';
import { formatBytes, formatBytesSpread, formatDuration, formatMetric, formatPercent, formatSecondsSpread } from '../../lib/format';
import { pointScore, runColor, type RunRecord } from '../../lib/run_types';
import type { MeanStd } from '../../../engine/report/stats';
import { allCurves } from '../../store/metrics';
import { downloadProject } from '../../store/cluster';
import { canResume, deleteRun, resumeRun } from '../../store/runner';
import { useLab } from '../../store/store';
import { useTransitioned } from '../../store/useTransitioned';
import type { SortKey } from '../../store/uiSlice';
import { ImportRun } from './ImportRun';
import { detailOf, tableRows, type GroupStats } from './rows';

const COLUMNS: readonly { readonly key: SortKey | null; readonly label: string; readonly title?: string }[] = [
  { key: 'created', label: 'Run' },
  { key: 'method', label: 'Method' },
  { key: 'trainable', label: 'Trainable', title: 'Exact trainable parameters as % of the model (the thesis\' count in the tooltip)' },
  { key: 'bestMrr', label: 'Best score', title: 'Best validation score (%): MRR for code search, the chosen metric for classification' },
  { key: 'finalMrr', label: 'Final score', title: 'The same score (%) at the last evaluation' },
  { key: 'recall1', label: 'R@1/5/10 · acc/F1/AUC', title: 'At the best evaluation (%): recall at 1, 5, 10 for code search; accuracy, F1 and AUC-ROC for classification' },
  { key: 'time', label: 'Time' },
  { key: 'peak', label: 'Peak GPU memory' },
  { key: null, label: 'Status' },
  { key: null, label: 'Actions' },
];

/** What the score columns hold for this run. */
function scoreName(run: RunRecord): string {
  const task = run.config.task;
  return task.kind === 'classification' ? `classification: best by ${task.bestMetric}` : 'code search: MRR';
}

/** The best evaluation's confusion matrix as a tooltip: rows are the true classes. */
function confusionText(run: RunRecord, confusion: readonly (readonly number[])[]): string {
  const names = run.classes ?? confusion.map((_, i) => String(i));
  return `confusion (true → predicted ${names.join(', ')}):\n${confusion.map((row, i) => `${names[i]}: ${row.join(' ')}`).join('\n')}`;
}

const pm = (m: MeanStd | null, f: (v: number) => string): string => (m ? `${f(m.mean)} ± ${f(m.std)}` : '—');
const spread = (m: MeanStd | null, f: (mean: number, std: number) => string): string => (m ? f(m.mean, m.std) : '—');

function GroupRow({ runs, stats }: { readonly runs: readonly RunRecord[]; readonly stats: GroupStats }) {
  const first = runs[0]!;
  return (
    <tr className="group-row" data-testid="group-row">
      <td colSpan={2}>
        <strong>{first.method}</strong> <span className="muted">mean ± std over {stats.bestMrr?.n ?? 0} of {runs.length} seeds</span>
      </td>
      <td>{formatPercent(first.trainable?.percentExact ?? NaN)}</td>
      <td>{pm(stats.bestMrr, formatMetric)}</td>
      <td>{pm(stats.finalMrr, formatMetric)}</td>
      <td title={`R@1 ${pm(stats.recall1, formatMetric)}, R@5 ${pm(stats.recall5, formatMetric)}, R@10 ${pm(stats.recall10, formatMetric)}`}>
        {[stats.recall1, stats.recall5, stats.recall10].map((m) => formatMetric(m?.mean)).join(' / ')}
      </td>
      <td>{spread(stats.time, formatSecondsSpread)}</td>
      <td>{spread(stats.peak, formatBytesSpread)}</td>
      <td colSpan={2} />
    </tr>
  );
}

function RunRow({ run, inGroup, active }: { readonly run: RunRecord; readonly inGroup: boolean; readonly active: boolean }) {
  const t = run.trainable;
  const b = run.best;
  const detail = detailOf(b);
  return (
    <tr className={inGroup ? 'member' : ''} data-testid="run-row">
      <td>
        <span className="swatch" style={{ background: runColor(run) }} /> {run.name}
      </td>
      <td>{run.method}</td>
      <td title={t ? `exact ${t.exact.toLocaleString('en-US')}; thesis' count ${t.paper.toLocaleString('en-US')} (${formatPercent(t.percentPaper)})` : undefined}>
        {t ? formatPercent(t.percentExact) : '—'}
      </td>
      <td data-testid="best-mrr" title={scoreName(run)}>{formatMetric(b ? pointScore(b) : undefined)}</td>
      <td title={scoreName(run)}>{formatMetric(run.final ? pointScore(run.final) : undefined)}</td>
      <td title={b?.cls ? confusionText(run, b.cls.confusion) : undefined}>{detail ? detail.map((v) => formatMetric(v)).join(' / ') : '—'}</td>
      <td>{formatDuration(run.elapsedMs)}</td>
      <td>{run.peakBytes > 0 ? formatBytes(run.peakBytes) : '—'}</td>
      <td className={`status ${run.status}`} title={run.failure?.message}>{run.status}</td>
      <td>
        {run.config.task.kind === 'code-search' && (
          <>
            <button type="button" className="link" onClick={() => downloadProject([{ name: run.name, config: run.config }])} aria-label={`Export run ${run.name} as a PyTorch project`} title="A PyTorch project (transformers + peft + accelerate) that trains this run on a GPU cluster">
              PyTorch
            </button>{' '}
          </>
        )}
        {canResume(run) && (
          <>
            <button type="button" className="link" onClick={() => useLab.getState().setNotice(resumeRun(run.id))} aria-label={`Resume run ${run.name} from its checkpoint at step ${run.checkpointStep}`} title={`Continue from the checkpoint at step ${run.checkpointStep}`} data-testid="resume-run">
              Resume
            </button>{' '}
          </>
        )}
        <button type="button" className="link" onClick={() => deleteRun(run.id)} disabled={active} aria-label={`Delete run ${run.name}`}>
          Delete
        </button>
      </td>
    </tr>
  );
}

function Exports() {
  const hasRuns = useLab((s) => s.runs.length > 0);
  const runs = (): readonly RunRecord[] => useLab.getState().runs;
  const stamp = (): string => new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  return (
    <div className="row">
      <button type="button" className="secondary" disabled={!hasRuns} onClick={() => download(`runs-${stamp()}.csv`, runsCsv(runs()), 'text/csv')}>Runs CSV</button>
      <button type="button" className="secondary" disabled={!hasRuns} onClick={() => download(`metrics-${stamp()}.csv`, metricsCsv(allCurves()), 'text/csv')}>Metrics CSV</button>
      <button type="button" className="secondary" disabled={!hasRuns} onClick={() => download(`runs-${stamp()}.json`, runsJson(runs(), allCurves()), 'application/json')}>All as JSON</button>
      <ImportRun />
    </div>
  );
}

export function RunsTable() {
  const runs = useTransitioned((s) => s.runs);
  const activeId = useTransitioned((s) => s.activeRunId);
  const sortKey = useLab((s) => s.sortKey);
  const descending = useLab((s) => s.sortDescending);
  const setSort = useLab((s) => s.setSort);
  const loaded = useLab((s) => s.runsLoaded);
  const persistence = useLab((s) => s.persistence);
  const rows = useMemo(() => tableRows(runs, sortKey, descending), [runs, sortKey, descending]);
  return (
    <Card title="Runs" testId="runs-panel" actions={<Exports />}>
      {persistence === false && <p className="warn-text small">This browser does not let the lab store data: runs will be lost when the page closes. Export them.</p>}
      {runs.length === 0 ? (
        <p className="muted">{loaded ? 'No runs yet. Finished runs are kept in this browser across reloads.' : 'Loading saved runs…'}</p>
      ) : (
        <div className="table-wrap">
          <table className="runs" data-testid="runs-table">
            <thead>
              <tr>
                {COLUMNS.map((c) =>
                  c.key === null ? (
                    <th key={c.label} scope="col">{c.label}</th>
                  ) : (
                    <th key={c.label} scope="col" title={c.title} aria-sort={sortKey === c.key ? (descending ? 'descending' : 'ascending') : 'none'}>
                      <button type="button" className="sort" onClick={() => setSort(c.key!)}>
                        {c.label} {sortKey === c.key ? (descending ? '▼' : '▲') : ''}
                      </button>
                    </th>
                  ),
                )}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) =>
                row.kind === 'group' ? <GroupRow key={`g:${row.key}`} runs={row.runs} stats={row.stats} /> : <RunRow key={row.run.id} run={row.run} inGroup={row.inGroup} active={row.run.id === activeId} />,
              )}
            </tbody>
          </table>
        </div>
      )}
      <p className="muted small">Scores are on the validation set, in % (MRR and recall for code search; the chosen metric, accuracy, F1 and AUC-ROC for classification). Runs that differ only by seed are grouped as mean ± std (population std, as numpy computes it).</p>
    </Card>
  );
}
