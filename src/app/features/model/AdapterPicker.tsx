/**
 * Trained weights back in the lab: adapter files an export wrote (peft LoRA or the lab's format), read by the
 * Worker against the loaded model. The method panel takes the adapter's configuration and the next run starts
 * from its tensors; "Evaluate" ranks the validation pairs with the model (+ adapter) without training.
 */
import { useId } from 'react';
import { formatMetric } from '../../lib/format';
import { methodLabel } from '../../../engine/report/method_label';
import { evaluateModel, loadAdapterFiles, removeAdapter } from '../../store/adapter';
import { useLab, type LabState } from '../../store/store';

function EvaluationResult() {
  const evaluation = useLab((s) => s.evaluation);
  if (evaluation.status === 'running') return <p role="status" className="muted">Evaluating on the validation pairs…</p>;
  if (evaluation.status === 'error') return <p role="alert" className="error-text" data-testid="evaluate-error">{evaluation.message}</p>;
  if (evaluation.status !== 'done') return null;
  const who = evaluation.adapter ? `Model + ${evaluation.adapter}` : 'Model';
  const r = evaluation.result;
  if (r.task === 'classification') {
    const c = r.scores;
    return (
      <p data-testid="evaluation">
        {who} on {c.n.toLocaleString('en-US')} validation records ({r.classes.length} classes): accuracy {formatMetric(c.accuracy)} · F1 {formatMetric(c.f1)} · macro-F1 {formatMetric(c.macro_f1)} · AUC-ROC {formatMetric(c.auc)}
      </p>
    );
  }
  const m = r.metrics;
  return (
    <p data-testid="evaluation">
      {who} on {m.n.toLocaleString('en-US')} validation pairs: MRR {formatMetric(m.mrr)} · recall@1 {formatMetric(m.recall1)} · recall@5 {formatMetric(m.recall5)} · recall@10 {formatMetric(m.recall10)}
    </p>
  );
}

const busy = (s: LabState): boolean => s.modelStatus !== 'ready' || s.importLoading || s.evaluation.status === 'running';

export function AdapterPicker() {
  const adapter = useLab((s) => s.importedAdapter);
  const loading = useLab((s) => s.importLoading);
  const error = useLab((s) => s.importError);
  const disabled = useLab(busy);
  const setNotice = useLab((s) => s.setNotice);
  const inputId = useId();
  const evaluate = () => {
    const problem = evaluateModel();
    if (problem) setNotice(problem);
  };
  return (
    <div className="adapter-picker" data-testid="adapter-picker">
      <p>
        <strong>Adapter (optional)</strong> — trained weights to resume from or evaluate: adapter_config.json + adapter_model.safetensors, or lab_peft.json + lab_adapter.safetensors.
      </p>
      <div className="row">
        <label htmlFor={inputId} className={`button-like secondary ${disabled ? 'disabled' : ''}`}>Choose adapter files…</label>
        <input
          id={inputId}
          className="visually-hidden"
          type="file"
          multiple
          accept=".json,.safetensors"
          disabled={disabled}
          onChange={(e) => {
            if (e.target.files && e.target.files.length > 0) loadAdapterFiles([...e.target.files]);
            e.target.value = ''; // choosing the same files again reloads them
          }}
        />
        <button type="button" className="secondary" onClick={evaluate} disabled={disabled} data-testid="evaluate">
          Evaluate
        </button>
        {loading && <span role="status" className="muted">Reading the adapter…</span>}
      </div>
      {adapter && (
        <p className="row small" data-testid="adapter-summary">
          <span>
            Starting from <strong>{adapter.name}</strong> ({methodLabel(adapter.peft)}, {adapter.tensors} tensors, {adapter.format === 'peft' ? 'peft format' : "the lab's format"}).
          </span>
          <button type="button" className="secondary" onClick={removeAdapter} data-testid="remove-adapter">
            Remove
          </button>
        </p>
      )}
      {error && <p role="alert" className="error-text" data-testid="adapter-error">{error}</p>}
      <EvaluationResult />
    </div>
  );
}
