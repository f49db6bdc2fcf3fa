/**
 * The code-search playground: type a query (or pick one of the validation queries), see the top functions of
 * the validation pool ranked by a model — a run of this session or the loaded model — and, beside it, by another;
 * with scores and the rank of the query's own code (the gold answer) when the query is one of the pool's.
 */
import { useMemo, useState } from 'react';
import { Card } from '../../components/Card';
import { SelectField } from '../../components/fields';
import { searchCode } from '../../store/playground_client';
import { useLab } from '../../store/store';
import { isCodeSearch, useSessionRuns } from '../../store/sessionRuns';
import type { PlaygroundAnswer } from '../../worker/protocol';

const MODEL = '__model__';

function Results({ side, answer, label }: { readonly side: PlaygroundAnswer['sides'][number]; readonly answer: PlaygroundAnswer; readonly label: string }) {
  return (
    <div className="playground-side" data-testid="playground-side">
      <h4>
        {label}
        {side.goldRank !== null && <span className="muted"> · gold code at rank {side.goldRank} of {answer.pool}</span>}
      </h4>
      <ol>
        {side.hits.map((h) => (
          <li key={h.index} className={h.index === answer.gold ? 'gold' : ''} data-testid="playground-hit">
            <div className="small">
              score {h.score.toFixed(3)} {h.index === answer.gold ? <strong>· gold</strong> : null} <span className="muted">· its query: {h.query}</span>
            </div>
            <pre>{h.code}</pre>
          </li>
        ))}
      </ol>
    </div>
  );
}

export function Playground() {
  const runs = useSessionRuns(isCodeSearch);
  const state = useLab((s) => s.playground);
  const [query, setQuery] = useState('');
  const [first, setFirst] = useState(MODEL);
  const [second, setSecond] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const options = useMemo(() => [{ value: MODEL, label: 'The model (with the chosen adapter)' }, ...runs.map((r) => ({ value: r.id, label: r.name }))], [runs]);
  const nameOf = (source: string | null): string => (source === null ? 'The model' : (runs.find((r) => r.id === source)?.name ?? 'a run'));
  const run = (): void => {
    const sources = [first, ...(second ? [second] : [])].map((s) => (s === MODEL ? null : s));
    setProblem(searchCode(query, sources));
  };
  return (
    <Card title="Code-search playground" testId="playground">
      <div className="grid3">
        <SelectField label="Search with" value={first} options={options} onChange={setFirst} testId="playground-model" />
        <SelectField label="Beside it" value={second} options={[{ value: '', label: 'nothing' }, ...options]} onChange={setSecond} testId="playground-other" />
      </div>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          run();
        }}
      >
        <label className="field grow">
          <span className="field-label">Query</span>
          <input value={query} onChange={(e) => setQuery(e.target.value)} placeholder="e.g. sort a list of dictionaries by a key" data-testid="playground-query" />
        </label>
        <button type="submit" disabled={state.status === 'running'} data-testid="playground-search">
          Search
        </button>
      </form>
      <p className="muted small">The pool is the validation pairs (2 · Data); it is embedded once per model and kept on the GPU, so later queries answer at once. A query equal to one of the pool's finds its own code: the gold answer, whose rank is shown.</p>
      {problem && <p role="alert" className="error-text">{problem}</p>}
      {state.status === 'running' && <p role="status" className="muted">Searching…</p>}
      {state.status === 'error' && <p role="alert" className="error-text" data-testid="playground-error">{state.message}</p>}
      {state.status === 'done' && (
        <div className="playground-results">
          {state.answer.sides.map((side, i) => (
            <Results key={`${side.source ?? 'model'}-${i}`} side={side} answer={state.answer} label={nameOf(side.source)} />
          ))}
        </div>
      )}
    </Card>
  );
}
