/** The PEFT method: a preset from the research, or any combination of methods with their settings. */
import { useEffect, useState } from 'react';
import { PEFT_MODULES, METHOD_TYPES } from '../../../engine/peft/registry';
import { Card } from '../../components/Card';
import { CheckField, SelectField, TextField } from '../../components/fields';
import { layerText, parseLayerText } from '../../lib/layers';
import { METHOD_PRESETS } from '../../lib/presets';
import { useLab } from '../../store/store';
import { MethodSettings } from './MethodSettings';

const CUSTOM = 'custom';

function PresetPicker() {
  const presetId = useLab((s) => s.presetId);
  const applyPreset = useLab((s) => s.applyPreset);
  const preset = METHOD_PRESETS.find((p) => p.id === presetId);
  const options = [
    { value: CUSTOM, label: 'Custom (edited)', group: 'Custom' },
    ...METHOD_PRESETS.map((p) => ({ value: p.id, label: p.label, group: p.group })),
  ];
  return (
    <div>
      <SelectField label="Preset" value={presetId ?? CUSTOM} options={options} onChange={(v) => v !== CUSTOM && applyPreset(v)} testId="method-preset" />
      {preset?.thesisTestMrr !== undefined && <p className="muted small">Thesis (CodeBERT, AdvTest): test MRR {preset.thesisTestMrr.toFixed(2)}%.</p>}
    </div>
  );
}

/** Keeps the text as typed ("8, " mid-typing); follows outside changes (a preset) when they mean something else. */
function LayersField({ value, onChange }: { readonly value: unknown; readonly onChange: (v: unknown) => void }) {
  const [text, setText] = useState(layerText(value));
  useEffect(() => setText((t) => (JSON.stringify(parseLayerText(t)) === JSON.stringify(value) ? t : layerText(value))), [value]);
  return (
    <TextField
      label="Only in layers (0-based)"
      value={text}
      onChange={(t) => {
        setText(t);
        onChange(parseLayerText(t));
      }}
      placeholder="all layers, or e.g. 8-11"
      help={`Restricts ${METHOD_TYPES.filter((t) => PEFT_MODULES[t].addsModules).map((t) => PEFT_MODULES[t].label).join(', ')} to these encoder layers.`}
    />
  );
}

export function MethodPanel() {
  const draft = useLab((s) => s.peftDraft);
  const toggleMethod = useLab((s) => s.toggleMethod);
  const setLayers = useLab((s) => s.setPeftLayers);
  const setTrainPooler = useLab((s) => s.setTrainPooler);
  return (
    <Card title="4 · Method" testId="method-panel">
      <PresetPicker />
      <fieldset className="methods">
        <legend>Methods (combine any that fit together, e.g. LoRA + Adapter)</legend>
        {METHOD_TYPES.map((type) => {
          const m = draft.methods.find((x) => x.type === type);
          return (
            <div key={type} className={`method ${m ? 'on' : ''}`}>
              <CheckField label={PEFT_MODULES[type].label} help={PEFT_MODULES[type].help} checked={m !== undefined} onChange={(on) => toggleMethod(type, on)} testId={`method-${type}`} />
              {m && <div className="method-settings"><MethodSettings m={m} /></div>}
            </div>
          );
        })}
      </fieldset>
      <div className="grid2">
        <LayersField value={draft.layers} onChange={setLayers} />
        <CheckField label="Also train the pooler" checked={draft.trainPooler} onChange={setTrainPooler} />
      </div>
    </Card>
  );
}
