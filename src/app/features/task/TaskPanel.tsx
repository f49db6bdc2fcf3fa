/**
 * What the run learns: code search (the thesis' task) or sequence classification with RobertaForSequenceClassification's
 * head — the record fields holding the input (one, or two as a RoBERTa pair) and the label, the class order, class
 * weights for imbalanced data and the metric the best weights are kept by. Presets fill the slides' settings.
 */
import { useState } from 'react';
import { CLASSIFICATION_METRICS } from '../../../engine/train/task';
import { Card } from '../../components/Card';
import { SelectField, TextField } from '../../components/fields';
import { TASK_PRESETS } from '../../lib/presets';
import { useLab } from '../../store/store';

const METRIC_LABEL: Record<string, string> = { accuracy: 'accuracy', f1: 'F1 (positive class / macro)', macro_f1: 'macro F1', auc: 'AUC-ROC' };

function listText(v: unknown): string {
  return Array.isArray(v) ? v.join(', ') : '';
}

/** Custom weights as typed ("1, 3"): the text stays as typed; the list reaches the validator whole. */
function WeightValues({ initial, onChange }: { readonly initial: string; readonly onChange: (w: unknown) => void }) {
  const [text, setText] = useState(initial);
  return (
    <TextField
      label="Weights, in class order"
      value={text}
      onChange={(v) => {
        setText(v);
        const parts = v.split(',').map((x) => x.trim());
        onChange(parts.every((x) => x !== '' && Number.isFinite(Number(x))) ? parts.map(Number) : v);
      }}
      testId="task-weight-values"
      help="e.g. 1, 5 for a rare positive class"
    />
  );
}

function ClassificationFields() {
  const draft = useLab((s) => s.taskDraft);
  const setField = useLab((s) => s.setTaskField);
  const text = (key: string): string => (typeof draft[key] === 'string' ? (draft[key] as string) : '');
  const weights = draft.classWeights;
  const weightKind = weights === 'balanced' ? 'balanced' : Array.isArray(weights) ? 'custom' : 'none';
  return (
    <>
      <div className="grid3">
        <TextField label="Input field" value={text('text')} onChange={(v) => setField('text', v)} testId="task-text" help="The record field holding the code (or change)" />
        <TextField label="Second input (optional)" value={text('pair')} onChange={(v) => setField('pair', v === '' ? null : v)} testId="task-pair" help="Read as a pair: <s> a </s></s> b </s>" />
        <TextField label="Label field" value={text('label')} onChange={(v) => setField('label', v)} testId="task-label" />
      </div>
      <div className="grid3">
        <TextField
          label="Classes (optional)"
          value={listText(draft.classes)}
          placeholder="as found, sorted"
          onChange={(v) => setField('classes', v.trim() === '' ? null : v.split(',').map((c) => c.trim()))}
          testId="task-classes"
          help="In class order; with two classes the second is the positive one"
        />
        <SelectField
          label="Class weights"
          value={weightKind}
          options={[
            { value: 'none', label: 'none' },
            { value: 'balanced', label: 'balanced' },
            { value: 'custom', label: 'per class…' },
          ]}
          onChange={(v) => setField('classWeights', v === 'custom' ? [1, 1] : v)}
          testId="task-weights"
          help={weightKind === 'balanced' ? 'n / (classes · count) from the training set' : 'For imbalanced data (e.g. JIT-DP)'}
        />
        <SelectField label="Keep the best by" value={String(draft.bestMetric ?? 'accuracy')} options={CLASSIFICATION_METRICS.map((m) => ({ value: m, label: METRIC_LABEL[m]! }))} onChange={(v) => setField('bestMetric', v)} testId="task-metric" />
      </div>
      {weightKind === 'custom' ? <WeightValues initial={listText(weights)} onChange={(w) => setField('classWeights', w)} /> : null}
    </>
  );
}

export function TaskPanel() {
  const kind = useLab((s) => s.taskDraft.kind);
  const setField = useLab((s) => s.setTaskField);
  const applyPreset = useLab((s) => s.applyTaskPreset);
  const options = [
    { value: 'code-search', label: 'Code search' },
    { value: 'classification', label: 'Classification' },
  ];
  const presets = [{ value: '', label: 'Choose a preset…' }, ...TASK_PRESETS.map((p) => ({ value: p.id, label: p.label }))];
  return (
    <Card title="3 · Task" testId="task-panel">
      <div className="grid3">
        <SelectField label="Task" value={String(kind ?? 'code-search')} options={options} onChange={(v) => setField('kind', v)} testId="task-kind" help={kind === 'classification' ? 'Accuracy, F1, AUC-ROC; the head as RobertaForSequenceClassification' : 'Code ↔ query ranking, MRR'} />
        <SelectField label="Preset" value="" options={presets} onChange={(v) => v !== '' && applyPreset(v)} testId="task-preset" help="Fills the task's fields; the method and recipe stay as they are" />
      </div>
      {kind === 'classification' ? <ClassificationFields /> : <p className="muted">Queries rank their code among every code of the validation set (CodeXGLUE AdvTest).</p>}
    </Card>
  );
}
