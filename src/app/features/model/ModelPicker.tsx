/**
 * The model to fine-tune: the bundled demo model (one click), a dropped or picked model folder
 * (config.json, vocab.json, merges.txt, model.safetensors or pytorch_model.bin), or a Hub id (HubDownload).
 */
import { useId, useState, type DragEvent } from 'react';
import { Card } from '../../components/Card';
import { formatCount } from '../../lib/format';
import { loadDemoModel, loadModelFiles } from '../../store/loaders';
import { useLab } from '../../store/store';
import { countParams, baseParams } from '../../../engine/model/params';
import { AdapterPicker } from './AdapterPicker';
import { HubDownload } from './HubDownload';

function ModelSummary() {
  const model = useLab((s) => s.model);
  if (!model) return <p className="muted">No model loaded yet.</p>;
  const c = model.config;
  return (
    <div data-testid="model-summary">
      <p>
        <strong>{model.demo ? 'Demo model' : model.name}</strong> — {c.layers} layers, hidden {c.hidden}, {c.heads} heads, vocabulary{' '}
        {c.vocabSize.toLocaleString('en-US')}, {formatCount(countParams(baseParams(c)))} parameters.
      </p>
      {model.demo && (
        <p className="muted small">
          Pre-trained on Python by masked-language modelling (public/demo/README.md): it learns code search in minutes, but it is tiny.
          For real results download a pretrained model such as microsoft/codebert-base below, or drop its folder.
        </p>
      )}
      {model.sparsity !== undefined && (
        <p className="small" data-testid="model-pruned">
          Pruned: {(100 * model.sparsity).toFixed(2)}% of the prunable weights are zero (its pruning masks). Training keeps them at zero, with any method.
        </p>
      )}
      {model.ignored > 0 && <p className="muted small">{model.ignored} tensors in the checkpoint (heads, buffers) are not part of the encoder and were skipped.</p>}
    </div>
  );
}

export function ModelPicker() {
  const status = useLab((s) => s.modelStatus);
  const error = useLab((s) => s.modelError);
  const [over, setOver] = useState(false);
  const filesId = useId();
  const folderId = useId();
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    if (e.dataTransfer.files.length > 0) loadModelFiles([...e.dataTransfer.files]);
  };
  return (
    <Card title="1 · Model" testId="model-panel">
      <ModelSummary />
      <AdapterPicker />
      <div className="row">
        <button type="button" onClick={loadDemoModel} disabled={status === 'loading'} data-testid="use-demo-model">
          Use the demo model
        </button>
        {status === 'loading' && <span role="status" className="muted">Loading the model…</span>}
      </div>
      <div className={`dropzone small-drop ${over ? 'over' : ''}`} onDragOver={(e) => (e.preventDefault(), setOver(true))} onDragLeave={() => setOver(false)} onDrop={onDrop}>
        <p>Drop the files of a model folder here: config.json, vocab.json, merges.txt and model.safetensors or pytorch_model.bin.</p>
        <div className="row">
          <label htmlFor={filesId} className="button-like">Choose model files…</label>
          <input id={filesId} className="visually-hidden" type="file" multiple onChange={(e) => e.target.files && e.target.files.length > 0 && loadModelFiles([...e.target.files])} />
          <label htmlFor={folderId} className="button-like secondary">Choose a model folder…</label>
          <input id={folderId} className="visually-hidden" type="file" {...{ webkitdirectory: '' }} onChange={(e) => e.target.files && e.target.files.length > 0 && loadModelFiles([...e.target.files])} />
        </div>
      </div>
      {error && (
        <p role="alert" className="error-text" data-testid="model-error">
          {error}
        </p>
      )}
      <HubDownload />
    </Card>
  );
}
