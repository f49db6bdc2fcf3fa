/** The training recipe: a preset (the thesis' Table 7.2, or a quick try) and every setting of it. */
import type { RecipeSettings } from '../../../engine/train/run_config';
import { Card } from '../../components/Card';
import { CheckField, NumberField, SelectField } from '../../components/fields';
import { RECIPE_PRESETS } from '../../lib/presets';
import { useLab } from '../../store/store';

type Key = keyof RecipeSettings;

const NUMBER_FIELDS: readonly { readonly key: Key; readonly label: string; readonly help?: string }[] = [
  { key: 'lr', label: 'Learning rate', help: 'AdamW, linear warmup then linear decay' },
  { key: 'batchSize', label: 'Batch size', help: 'Pairs per step; the other pairs of a batch are the negatives' },
  { key: 'warmupSteps', label: 'Warmup steps' },
  { key: 'evalEvery', label: 'Evaluate every (steps)', help: '0: only at the end' },
  { key: 'evalBatchSize', label: 'Evaluation batch size' },
  { key: 'seed', label: 'Seed' },
  { key: 'codeLength', label: 'Code length (tokens)' },
  { key: 'nlLength', label: 'Query length (tokens)' },
  { key: 'hiddenDropout', label: 'Hidden dropout' },
  { key: 'attentionDropout', label: 'Attention dropout' },
  { key: 'weightDecay', label: 'Weight decay' },
  { key: 'maxGradNorm', label: 'Gradient clipping (max norm)', help: '0 turns clipping off' },
];

function LengthFields() {
  const steps = useLab((s) => s.recipeDraft.steps);
  const epochs = useLab((s) => s.recipeDraft.epochs);
  const setField = useLab((s) => s.setRecipeField);
  const bySteps = steps !== null && steps !== undefined;
  const options = [
    { value: 'steps', label: 'a number of steps' },
    { value: 'epochs', label: 'a number of epochs' },
  ];
  return (
    <>
      <SelectField label="Train for" value={bySteps ? 'steps' : 'epochs'} options={options} onChange={(v) => setField('steps', v === 'steps' ? 1000 : null)} />
      {bySteps ? (
        <NumberField label="Steps" value={steps} onChange={(v) => setField('steps', v)} testId="recipe-steps" />
      ) : (
        <NumberField label="Epochs" value={epochs} onChange={(v) => setField('epochs', v)} testId="recipe-epochs" />
      )}
    </>
  );
}

/** Settings only code search uses: a classification run pools <s> into its head and has no query side. */
const SEARCH_ONLY: ReadonlySet<Key> = new Set(['nlLength']);

export function RecipePanel() {
  const draft = useLab((s) => s.recipeDraft);
  const classifies = useLab((s) => s.taskDraft.kind === 'classification');
  const fields = NUMBER_FIELDS.filter((f) => !classifies || !SEARCH_ONLY.has(f.key)).map((f) =>
    classifies && f.key === 'codeLength' ? { ...f, label: 'Input length (tokens)', help: 'A pair shares it: <s> a </s></s> b </s>' } : classifies && f.key === 'batchSize' ? { ...f, help: 'Examples per step' } : f,
  );
  const presetId = useLab((s) => s.recipePresetId);
  const applyPreset = useLab((s) => s.applyRecipePreset);
  const setField = useLab((s) => s.setRecipeField);
  const preset = RECIPE_PRESETS.find((p) => p.id === presetId);
  const options = [{ value: 'custom', label: 'Custom (edited)' }, ...RECIPE_PRESETS.map((p) => ({ value: p.id, label: p.label }))];
  const pooling = ['pooler', 'cls', 'mean'].map((p) => ({ value: p, label: p === 'pooler' ? 'pooler (CodeXGLUE)' : p === 'cls' ? '<s> token' : 'mean of tokens (UniXcoder)' }));
  return (
    <Card title="5 · Training recipe" testId="recipe-panel">
      <SelectField label="Preset" value={presetId ?? 'custom'} options={options} onChange={(v) => v !== 'custom' && applyPreset(v)} testId="recipe-preset" help={preset?.help} />
      <div className="grid3">
        <LengthFields />
        {fields.map((f) => (
          <NumberField key={f.key} label={f.label} help={f.help} value={draft[f.key]} onChange={(v) => setField(f.key, v)} testId={`recipe-${f.key}`} />
        ))}
        {classifies ? null : (
          <>
            <SelectField label="Embedding (pooling)" value={String(draft.pooling)} options={pooling} onChange={(v) => setField('pooling', v)} />
            <NumberField label="Score scale" value={draft.scale} onChange={(v) => setField('scale', v)} help="UniXcoder: 20 with normalized embeddings" />
          </>
        )}
      </div>
      <div className="row">
        {classifies ? null : <CheckField label="L2-normalize embeddings" checked={draft.normalize === true} onChange={(on) => setField('normalize', on)} />}
        <CheckField label="Shuffle every epoch" checked={draft.shuffle !== false} onChange={(on) => setField('shuffle', on)} />
        <CheckField
          label="Keep frozen weights in 16 bits (halves their memory)"
          checked={draft.frozenWeightsF16 === true}
          onChange={(on) => setField('frozenWeightsF16', on)}
          testId="recipe-frozenWeightsF16"
          help="Frozen linear weights are stored as halves and widened in the matmul; trained weights stay 32-bit."
        />
      </div>
    </Card>
  );
}
