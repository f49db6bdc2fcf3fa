/**
 * Precision versus metric and size (the pruning paper's fp16/int8 question): one model — a finished run of this
 * session or the loaded model — ranked on the validation pairs with its linear weights at f32, fp16 and int8
 * (per tensor, per output channel), the int8 rows also with quantize_dynamic's quantized activations.
 */
import { useState } from 'react';
import { signedPoints, type PrecisionRow } from '../../../engine/quant/precision_table';
import { Card } from '../../components/Card';
import { SelectField } from '../../components/fields';
import { formatBytes } from '../../lib/format';
import { comparePrecisions } from '../../store/playground_client';
import { useLab } from '../../store/store';
import { isCodeSearch, useSessionRuns } from '../../store/sessionRuns';

const MODEL = '__model__';

const WEIGHTS: Record<PrecisionRow['weights'], string> = { f32: 'float32', fp16: 'float16', int8: 'int8 (per tensor)', 'int8-channel': 'int8 (per channel)' };

function Rows({ rows }: { readonly rows: readonly PrecisionRow[] }) {
  const base = rows[0]!;
  return (
    <table className="runs" data-testid="precision-table">
      <thead>
        <tr>
          <th>Linear weights</th>
          <th>Activations</th>
          <th>MRR (%)</th>
          <th>Δ vs f32</th>
          <th>Linear weights size</th>
          <th>Model size</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => {
          return (
            <tr key={`${r.weights}-${r.activations}`} data-testid="precision-row">
              <td>{WEIGHTS[r.weights]}</td>
              <td>{r.activations === 'int8' ? 'int8 (dynamic)' : 'float32'}</td>
              <td>{(100 * r.mrr).toFixed(2)}</td>
              <td>{r === base ? '—' : signedPoints(r.mrr - base.mrr)}</td>
              <td>{formatBytes(r.linear_bytes)}</td>
              <td>{formatBytes(r.model_bytes)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function PrecisionPanel() {
  const runs = useSessionRuns(isCodeSearch);
  const state = useLab((s) => s.precision);
  const [source, setSource] = useState(MODEL);
  const [problem, setProblem] = useState<string | null>(null);
  const options = [{ value: MODEL, label: 'The model (with the chosen adapter)' }, ...runs.map((r) => ({ value: r.id, label: r.name }))];
  return (
    <Card title="Precision: metric vs size" testId="precision-panel">
      <div className="grid3">
        <SelectField label="Model" value={source} options={options} onChange={setSource} testId="precision-source" />
      </div>
      <div className="row">
        <button type="button" onClick={() => setProblem(comparePrecisions(source === MODEL ? null : source))} disabled={state.status === 'running'} data-testid="precision-run">
          Evaluate at f32, fp16 and int8
        </button>
      </div>
      <p className="muted small">Weight-only rows store the linear weights at that precision and compute in float32; dynamic rows also quantize each linear layer&apos;s input per call, as torch&apos;s quantize_dynamic does (models without added modules).</p>
      {problem && <p role="alert" className="error-text">{problem}</p>}
      {state.status === 'running' && <p role="status" className="muted">Evaluating six precisions…</p>}
      {state.status === 'error' && <p role="alert" className="error-text">{state.message}</p>}
      {state.status === 'done' && (
        <>
          <p className="muted small" data-testid="precision-summary">
            {state.source === null ? 'The model' : (runs.find((r) => r.id === state.source)?.name ?? 'A run')} on {state.n} validation pairs.
          </p>
          <Rows rows={state.rows} />
        </>
      )}
    </Card>
  );
}
