/**
 * Telly's layer analysis in the dashboard, as `lab probe`: a labelled file (or the bundled probing sample of real
 * standard-library functions), a probe per layer of the loaded model, and, compared with a run of this session,
 * its probes and each layer's drift (linear CKA). Definitions: docs/ANALYSIS.md.
 */
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Card } from '../../components/Card';
import { NumberField } from '../../components/fields';
import { endedInThisPage } from '../../store/runner';
import { useLab } from '../../store/store';
import { send } from '../../store/worker_client';
import { download } from '../../lib/export_runs';
import { SAMPLE_BASE, type PageLayerStudy, type ShardInput } from '../../worker/protocol';
import { LayerCharts, LayerTable } from './LayerCharts';

const SAMPLE = 'probe.jsonl';
const SAMPLE_LABELS = ['syntactic_returns', 'lexical_string', 'structural_deep'];

/** The study in `lab probe --json`'s shape (an undefined CKA is null there too), with the run's name. */
function downloadStudy(study: PageLayerStudy, runName: string | null): void {
  const { runId: _runId, skipped: _skipped, ...numbers } = study;
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  download(`layer-study-${study.label.replace(/[^\w.-]+/g, '_')}-${stamp}.json`, `${JSON.stringify({ ...numbers, run: study.runId === null ? null : runName }, null, 2)}\n`, 'application/json');
}

function Result({ runName }: { readonly runName: string | null }) {
  const state = useLab((s) => s.layerStudy);
  if (state.status === 'idle') return null;
  if (state.status === 'running') return <p className="muted" role="status">Reading every layer and fitting the probes…</p>;
  if (state.status === 'error') return <p role="alert" className="error-text" data-testid="layer-study-error">{state.message}</p>;
  const s = state.study;
  const classes = s.classes.map((c, i) => `${c} ×${s.counts[i]}`).join(', ');
  return (
    <div data-testid="layer-study">
      <p className="small">
        “{s.label}” on {s.examples} examples ({classes}){s.skipped > 0 ? `, ${s.skipped} skipped` : ''}; {Math.round(s.options.heldOut * 100)}% held out; {s.pooling === 'cls' ? '<s> state' : 'mean over tokens'}. Majority class: {(100 * s.majority).toFixed(1)}%.
      </p>
      <div className="row">
        <button type="button" className="secondary" onClick={() => downloadStudy(s, runName)} data-testid="layer-study-json">
          Download as JSON
        </button>
        <span className="muted small">the numbers <code>lab probe --json</code> writes</span>
      </div>
      <LayerCharts study={s} runName={s.runId === null ? null : runName} />
      <LayerTable study={s} runName={s.runId === null ? null : runName} />
    </div>
  );
}

export function LayerAnalysis() {
  const [file, setFile] = useState<File | null>(null);
  const [label, setLabel] = useState(SAMPLE_LABELS[0]!);
  const [text, setText] = useState('code');
  const [pooling, setPooling] = useState<'cls' | 'mean'>('mean');
  const [length, setLength] = useState<unknown>(64);
  const [maxExamples, setMaxExamples] = useState<unknown>(300);
  const [runId, setRunId] = useState('');
  const runs = useLab(useShallow((s) => s.runs.filter((r) => (r.status === 'done' || r.status === 'stopped') && endedInThisPage(r.id))));
  const ready = useLab((s) => s.modelStatus === 'ready' && s.activeRunId === null);
  const running = useLab((s) => s.layerStudy.status === 'running');
  const setStudy = useLab((s) => s.setLayerStudy);
  const ok = (v: unknown, lo: number, hi: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
  const valid = ok(length, 3, 512) && ok(maxExamples, 4, 100_000) && label.trim() !== '' && text.trim() !== '';
  const analyze = (): void => {
    if (!valid) return;
    const input: ShardInput = file ? { kind: 'file', file } : { kind: 'url', url: new URL(SAMPLE, new URL(SAMPLE_BASE, document.baseURI)).href, name: `sample/${SAMPLE}` };
    setStudy({ status: 'running' });
    send({ type: 'analyze-layers', input, textField: text.trim(), labelField: label.trim(), pooling, length, maxExamples, runId: runId || null });
  };
  const runName = runs.find((r) => r.id === runId)?.name ?? null;
  return (
    <Card title="Layer analysis" testId="layer-analysis">
      <p className="muted small">
        What each layer encodes about a label (a linear probe per layer, accuracy on held-out examples), and how much a run changed each layer (linear CKA with the model; 1 = unchanged) — Telly's analysis. The bundled file holds 600 real Python standard-library functions with lexical, syntactic and structural labels.
      </p>
      <div className="row">
        <label className="button-like secondary">
          Choose a labelled file…
          <input type="file" accept=".jsonl,.json,.gz,.parquet" className="visually-hidden" onChange={(e) => setFile(e.target.files?.[0] ?? null)} data-testid="layer-file" />
        </label>
        <span className="small">{file ? file.name : `the bundled sample (${SAMPLE})`}</span>
        {file && <button type="button" className="link" onClick={() => setFile(null)}>Use the sample instead</button>}
      </div>
      <div className="grid3">
        <label className="field">
          <span className="field-label">Label field</span>
          <input list="layer-label-fields" value={label} onChange={(e) => setLabel(e.target.value)} data-testid="layer-label" />
          <datalist id="layer-label-fields">{SAMPLE_LABELS.map((l) => <option key={l} value={l} />)}</datalist>
        </label>
        <label className="field">
          <span className="field-label">Text field</span>
          <input value={text} onChange={(e) => setText(e.target.value)} />
        </label>
        <label className="field">
          <span className="field-label">Representation</span>
          <select value={pooling} onChange={(e) => setPooling(e.target.value === 'cls' ? 'cls' : 'mean')}>
            <option value="mean">mean over tokens</option>
            <option value="cls">&lt;s&gt; state</option>
          </select>
        </label>
        <NumberField label="Tokens per example" value={length} onChange={setLength} />
        <NumberField label="Examples (at most)" value={maxExamples} onChange={setMaxExamples} />
        <label className="field">
          <span className="field-label">Compare with run</span>
          <select value={runId} onChange={(e) => setRunId(e.target.value)} data-testid="layer-run">
            <option value="">— the model alone —</option>
            {runs.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
          </select>
        </label>
      </div>
      <div className="row">
        <button type="button" className="primary" disabled={!ready || !valid || running} onClick={analyze} data-testid="analyze-layers">
          Analyze layers
        </button>
        {!ready && <span className="muted small">Load a model (and wait for a training run to end) first.</span>}
      </div>
      <Result runName={runName} />
    </Card>
  );
}
