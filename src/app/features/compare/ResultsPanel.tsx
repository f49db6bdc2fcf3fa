/**
 * The thesis' results table of the finished runs: one row per configuration (seeds as mean ± std), a note naming
 * what sets it apart, trainable parameters and the best validation score; copied as Markdown, downloaded as
 * LaTeX or CSV — the same table `lab compare` prints for run folders. Below it, the parameter-efficiency chart and
 * the sweep's parallel coordinates.
 */
import { useMemo, useState } from 'react';
import { renderTable, RESULT_HEADER, resultCells, type TableFormat } from '../../../engine/report/results_table';
import { Card } from '../../components/Card';
import { download } from '../../lib/export_runs';
import { resultRows } from '../../lib/results';
import { useTransitioned } from '../../store/useTransitioned';
import { EfficiencyChart } from './EfficiencyChart';
import { SweepCoordinates } from './SweepCoordinates';

const FILES: Record<Exclude<TableFormat, 'table'>, { name: string; type: string }> = {
  markdown: { name: 'results.md', type: 'text/markdown' },
  latex: { name: 'results.tex', type: 'application/x-tex' },
  csv: { name: 'results.csv', type: 'text/csv' },
};

export function ResultsPanel() {
  const runs = useTransitioned((s) => s.runs);
  const rows = useMemo(() => resultRows(runs), [runs]);
  const [copied, setCopied] = useState(false);
  if (rows.length === 0) return null;
  const copy = async (): Promise<void> => {
    await navigator.clipboard?.writeText(renderTable(rows, 'markdown')).catch(() => undefined);
    setCopied(true);
  };
  return (
    <Card title="Results (thesis table)" testId="results-panel">
      <table className="runs">
        <thead>
          <tr>
            {RESULT_HEADER.map((h) => <th key={h}>{h}</th>)}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.runs.join(' ')} data-testid="result-row" title={row.runs.join(', ')}>
              {resultCells(row).map((c, i) => <td key={i}>{c}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
      <EfficiencyChart rows={rows} metric={rows[0]!.metric} />
      <SweepCoordinates runs={runs} />
      <div className="row">
        <button type="button" className="secondary" onClick={() => void copy()} data-testid="copy-markdown">{copied ? 'Copied' : 'Copy as Markdown'}</button>
        {(Object.keys(FILES) as (keyof typeof FILES)[]).map((f) => (
          <button key={f} type="button" className="secondary" onClick={() => download(FILES[f].name, renderTable(rows, f), FILES[f].type)} data-testid={`results-${f}`}>
            {f === 'markdown' ? 'Markdown' : f === 'latex' ? 'LaTeX' : 'CSV'}
          </button>
        ))}
      </div>
    </Card>
  );
}
