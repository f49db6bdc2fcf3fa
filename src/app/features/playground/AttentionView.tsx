/**
 * The attention view (the thesis' App. 7.1): one piece of code, a layer and a head; the weights under two models
 * (runs of this session or the loaded model) side by side and their difference — the full matrix, or the <s>
 * row (what the embedding's token attends to) as a table of the tokens it weighs most.
 */
import { useState } from 'react';
import { Card } from '../../components/Card';
import { NumberField, SelectField } from '../../components/fields';
import { showAttention } from '../../store/playground_client';
import { useLab } from '../../store/store';
import { useSessionRuns } from '../../store/sessionRuns';
import type { AttentionAnswer } from '../../worker/protocol';
import { Heatmap } from './Heatmap';

const MODEL = '__model__';
const SAMPLE = 'def read_lines(path):\n    with open(path) as f:\n        return [line.rstrip() for line in f]';

export function AttentionView() {
  const runs = useSessionRuns();
  const layers = useLab((s) => s.model?.config.layers ?? 12);
  const heads = useLab((s) => s.model?.config.heads ?? 12);
  const state = useLab((s) => s.attention);
  const [code, setCode] = useState(SAMPLE);
  const [layer, setLayer] = useState(1);
  const [head, setHead] = useState(1);
  const [a, setA] = useState(MODEL);
  const [b, setB] = useState('');
  const [view, setView] = useState<'matrix' | 'cls'>('matrix');
  const [problem, setProblem] = useState<string | null>(null);
  const options = [{ value: MODEL, label: 'The model (with the chosen adapter)' }, ...runs.map((r) => ({ value: r.id, label: r.name }))];
  const nameOf = (source: string | null): string => (source === null ? 'The model' : (runs.find((r) => r.id === source)?.name ?? 'a run'));
  const answer = state.status === 'done' ? state.answer : null;
  const h = Math.min(Math.max(1, head), heads) - 1;
  return (
    <Card title="Attention view" testId="attention-view">
      <label className="field">
        <span className="field-label">Code</span>
        <textarea value={code} onChange={(e) => setCode(e.target.value)} rows={4} data-testid="attention-code" />
      </label>
      <div className="grid3">
        <SelectField label="Model A" value={a} options={options} onChange={setA} testId="attention-a" />
        <SelectField label="Model B" value={b} options={[{ value: '', label: 'none' }, ...options]} onChange={setB} testId="attention-b" />
        <SelectField label="Show" value={view} options={[{ value: 'matrix', label: 'the full matrix' }, { value: 'cls', label: 'the <s> row' }]} onChange={(v) => setView(v as 'matrix' | 'cls')} testId="attention-mode" />
        <NumberField label={`Layer (1–${layers})`} value={layer} onChange={(v) => setLayer(typeof v === 'number' ? Math.round(v) : layer)} testId="attention-layer" />
        <NumberField label={`Head (1–${heads})`} value={head} onChange={(v) => setHead(typeof v === 'number' ? Math.round(v) : head)} testId="attention-head" />
      </div>
      <div className="row">
        <button type="button" onClick={() => setProblem(showAttention(code, layer - 1, [a, ...(b ? [b] : [])].map((s) => (s === MODEL ? null : s))))} disabled={state.status === 'running'} data-testid="attention-show">
          Show the attention
        </button>
      </div>
      {problem && <p role="alert" className="error-text">{problem}</p>}
      {state.status === 'running' && <p role="status" className="muted">Computing…</p>}
      {state.status === 'error' && <p role="alert" className="error-text">{state.message}</p>}
      {answer && <Maps answer={answer} head={h} view={view} nameOf={nameOf} />}
    </Card>
  );
}

function Maps({ answer, head, view, nameOf }: { readonly answer: AttentionAnswer; readonly head: number; readonly view: 'matrix' | 'cls'; readonly nameOf: (s: string | null) => string }) {
  const n = answer.tokens.length;
  const maps = answer.maps.map((m) => ({ ...m, cols: m.prefix + n, values: m.heads[head] ?? new Float32Array(0) }));
  const [first, second] = maps;
  const sameShape = second !== undefined && first !== undefined && second.cols === first.cols;
  const diff = sameShape ? first.values.map((v, i) => second.values[i]! - v) : null;
  const max = Math.max(...maps.map((m) => Math.max(...m.values)), 1e-9);
  const min = Math.min(...maps.map((m) => Math.min(...m.values)));
  const maxDiff = diff ? Math.max(...diff.map(Math.abs), 1e-12) : 1;
  if (view === 'cls') return <ClsRow answer={answer} maps={maps} diff={diff} nameOf={nameOf} />;
  return (
    <>
      <p className="muted small" data-testid="attention-summary">
        Layer {answer.layer + 1}, head {head + 1}: {n} tokens{first && first.prefix > 0 ? ` (and ${first.prefix} prefix keys first among the columns)` : ''}; rows attend to columns. White to blue: {(100 * min).toFixed(2)}% to {(100 * max).toFixed(2)}%.
      </p>
      <div className="heatmaps">
        {maps.map((m, i) => (
          <Heatmap key={i} values={m.values} rows={n} cols={m.cols} lo={min} hi={max} diverging={false} label={nameOf(m.source)} testId="attention-map" />
        ))}
        {diff && <Heatmap values={diff} rows={n} cols={first!.cols} lo={-maxDiff} hi={maxDiff} diverging label={`B − A (blue: B attends more, red: less; up to ±${(100 * maxDiff).toPrecision(2)}%)`} testId="attention-diff" />}
      </div>
    </>
  );
}

function ClsRow({ answer, maps, diff, nameOf }: { readonly answer: { readonly tokens: readonly string[] }; readonly maps: readonly { source: string | null; prefix: number; values: Float32Array; cols: number }[]; readonly diff: Float32Array | null; readonly nameOf: (s: string | null) => string }) {
  const first = maps[0]!;
  const label = (j: number): string => (j < first.prefix ? `prefix ${j + 1}` : JSON.stringify(answer.tokens[j - first.prefix] ?? ''));
  const order = Array.from({ length: first.cols }, (_, j) => j).sort((x, y) => first.values[y]! - first.values[x]!).slice(0, 12);
  return (
    <table className="runs" data-testid="attention-cls">
      <thead>
        <tr>
          <th>Key the &lt;s&gt; row attends to</th>
          {maps.map((m, i) => <th key={i}>{nameOf(m.source)} (%)</th>)}
          {diff && <th>B − A</th>}
        </tr>
      </thead>
      <tbody>
        {order.map((j) => (
          <tr key={j}>
            <td><code>{label(j)}</code></td>
            {maps.map((m, i) => <td key={i}>{(100 * (m.values[j] ?? 0)).toFixed(2)}</td>)}
            {diff && <td>{(100 * diff[j]!).toFixed(2)}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
