/**
 * Per-example analysis (the thesis' §5.1 and App. 7.5): every validation query's gold rank under two models (A,
 * B: runs of this session or the loaded model), filtered to the queries both miss, both find, or one fixes; with
 * the group's mean sizes beside the whole pool's, and the list as CSV.
 */
import { useMemo, useState } from 'react';
import { Card } from '../../components/Card';
import { NumberField, SelectField } from '../../components/fields';
import { download } from '../../lib/export_runs';
import { exampleStats, examplesCsv, FILTER_LABELS, filterExamples, type ExampleFilter } from '../../lib/per_example';
import { rankExamples } from '../../store/playground_client';
import { useLab } from '../../store/store';
import { isCodeSearch, useSessionRuns } from '../../store/sessionRuns';

const MODEL = '__model__';
const SHOWN = 50;

export function PerExample() {
  const runs = useSessionRuns(isCodeSearch);
  const state = useLab((s) => s.exampleRanks);
  const [a, setA] = useState(MODEL);
  const [b, setB] = useState(MODEL);
  const [filter, setFilter] = useState<ExampleFilter>('all');
  const [k, setK] = useState(1);
  const [problem, setProblem] = useState<string | null>(null);
  const options = [{ value: MODEL, label: 'The model (with the chosen adapter)' }, ...runs.map((r) => ({ value: r.id, label: r.name }))];
  const nameOf = (source: string | null): string => (source === null ? 'model' : (runs.find((r) => r.id === source)?.name ?? 'run'));
  const answer = state.status === 'done' ? state.answer : null;
  const shown = useMemo(() => (answer ? filterExamples(answer.examples, filter, k) : []), [answer, filter, k]);
  const stats = exampleStats(shown);
  const all = answer ? exampleStats(answer.examples) : null;
  return (
    <Card title="Per-example analysis" testId="per-example">
      <div className="grid3">
        <SelectField label="Model A" value={a} options={options} onChange={setA} testId="examples-a" />
        <SelectField label="Model B" value={b} options={options} onChange={setB} testId="examples-b" />
      </div>
      <div className="row">
        <button type="button" onClick={() => setProblem(rankExamples([a, b].map((s) => (s === MODEL ? null : s))))} disabled={state.status === 'running'} data-testid="examples-rank">
          Rank every validation query
        </button>
      </div>
      {problem && <p role="alert" className="error-text">{problem}</p>}
      {state.status === 'running' && <p role="status" className="muted">Ranking…</p>}
      {state.status === 'error' && <p role="alert" className="error-text">{state.message}</p>}
      {answer && all && (
        <>
          <div className="grid3">
            <SelectField label="Show" value={filter} options={(Object.keys(FILTER_LABELS) as ExampleFilter[]).map((f) => ({ value: f, label: FILTER_LABELS[f] }))} onChange={(v) => setFilter(v as ExampleFilter)} testId="examples-filter" />
            <NumberField label="Found = gold rank at most" value={k} onChange={(v) => setK(typeof v === 'number' && v >= 1 ? Math.round(v) : 1)} testId="examples-k" />
          </div>
          <p data-testid="examples-summary">
            {stats.n} of {answer.pool} queries
            {stats.n > 0 ? ` · mean code ${stats.codeTokens.toFixed(1)} tokens (${all.codeTokens.toFixed(1)} over all), query ${stats.queryTokens.toFixed(1)} (${all.queryTokens.toFixed(1)}), ${stats.lines.toFixed(1)} lines (${all.lines.toFixed(1)})` : ''}
          </p>
          <table className="runs">
            <thead>
              <tr>
                <th>#</th>
                <th>Query</th>
                <th>Rank A ({nameOf(answer.sources[0] ?? null)})</th>
                <th>Rank B ({nameOf(answer.sources[1] ?? null)})</th>
                <th>Code tokens</th>
              </tr>
            </thead>
            <tbody>
              {shown.slice(0, SHOWN).map((e) => (
                <tr key={e.index} data-testid="example-row" title={e.code}>
                  <td>{e.index + 1}</td>
                  <td>{e.query}</td>
                  <td>{e.ranks[0]}</td>
                  <td>{e.ranks[1]}</td>
                  <td>{e.codeTokens}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {shown.length > SHOWN && <p className="muted small">The first {SHOWN} are shown; the CSV holds them all.</p>}
          <button type="button" className="secondary" onClick={() => download('examples.csv', examplesCsv(shown, answer.sources.map(nameOf)), 'text/csv')} data-testid="examples-csv">
            Download as CSV
          </button>
        </>
      )}
    </Card>
  );
}
