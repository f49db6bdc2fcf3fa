/** The settings of one selected PEFT method, as the engine's config fields (docs/PEFT_CONFIG.md). */
import { LINEAR_SITES } from '../../../engine/model/params';
import { LORA_DEFAULTS, loraScale } from '../../../engine/peft/lora';
import type { MethodType } from '../../../engine/peft/types';
import { CheckField, NumberField, SelectField } from '../../components/fields';
import type { MethodDraft } from '../../store/configSlice';
import { useLab } from '../../store/store';

type SetField = (field: string, value: unknown) => void;

function LoraSettings({ m, set }: { readonly m: MethodDraft; readonly set: SetField }) {
  const targets = Array.isArray(m.targets) ? (m.targets as string[]) : [];
  // The engine's own scale rule (alpha / r, alpha / √r with rsLoRA), on the draft's numbers when they are valid.
  const scale = typeof m.r === 'number' && typeof m.alpha === 'number' && m.r > 0 ? loraScale({ ...LORA_DEFAULTS, r: m.r, alpha: m.alpha, rslora: m.rslora === true, layers: null }, '') : null;
  const toggle = (site: string, on: boolean): void => set('targets', on ? [...targets, site] : targets.filter((t) => t !== site));
  return (
    <>
      <div className="grid3">
        <NumberField label="Rank r" value={m.r} onChange={(v) => set('r', v)} testId="lora-r" />
        <NumberField label="Alpha" value={m.alpha} onChange={(v) => set('alpha', v)} help={`${scale === null ? 'scale = alpha / r' : `scale = ${+scale.toPrecision(3)}`}; peft's default alpha is ${LORA_DEFAULTS.alpha}`} />
        <NumberField label="Dropout" value={m.dropout} onChange={(v) => set('dropout', v)} />
      </div>
      <fieldset className="targets">
        <legend>Target linear layers</legend>
        {LINEAR_SITES.map((site) => (
          <CheckField key={site} label={site} checked={targets.includes(site)} onChange={(on) => toggle(site, on)} />
        ))}
      </fieldset>
      <CheckField label="rsLoRA (scale alpha / √r)" checked={m.rslora === true} onChange={(on) => set('rslora', on)} />
    </>
  );
}

function AdapterSettings({ m, set }: { readonly m: MethodDraft; readonly set: SetField }) {
  const placements = [
    { value: 'houlsby', label: 'Attention + FFN (H)' },
    { value: 'attn', label: 'Attention (ATTN)' },
    { value: 'ffn', label: 'FFN (Pfeiffer)' },
  ];
  const activations = ['relu', 'gelu', 'swish'].map((a) => ({ value: a, label: a }));
  return (
    <div className="grid3">
      <SelectField label="Placement" value={String(m.placement)} options={placements} onChange={(v) => set('placement', v)} help="After which sublayer" />
      <NumberField label="Bottleneck size" value={m.size} onChange={(v) => set('size', v)} testId="adapter-size" />
      <SelectField label="Activation" value={String(m.activation)} options={activations} onChange={(v) => set('activation', v)} />
    </div>
  );
}

function PrefixSettings({ m, set }: { readonly m: MethodDraft; readonly set: SetField }) {
  const projection = m.projection as { hidden?: unknown } | null;
  return (
    <div className="grid3">
      <NumberField label="Prefix length" value={m.length} onChange={(v) => set('length', v)} />
      <CheckField label="Reparameterize through an MLP" checked={projection !== null && projection !== undefined} onChange={(on) => set('projection', on ? { hidden: 512 } : null)} />
      {projection && <NumberField label="MLP hidden size" value={projection.hidden} onChange={(v) => set('projection', { hidden: v })} />}
    </div>
  );
}

function LwoSettings({ m, set }: { readonly m: MethodDraft; readonly set: SetField }) {
  const schedules = ['top-down', 'bottom-up', 'random'].map((s) => ({ value: s, label: s }));
  return (
    <div className="grid3">
      <NumberField label="Layers per group" value={m.group} onChange={(v) => set('group', v)} />
      <SelectField label="Schedule" value={String(m.schedule)} options={schedules} onChange={(v) => set('schedule', v)} />
      <NumberField label="Steps per phase" value={m.phaseSteps} onChange={(v) => set('phaseSteps', v)} />
    </div>
  );
}

export function MethodSettings({ m }: { readonly m: MethodDraft }) {
  const setMethodField = useLab((s) => s.setMethodField);
  const set: SetField = (field, value) => setMethodField(m.type as MethodType, field, value);
  switch (m.type) {
    case 'lora':
      return <LoraSettings m={m} set={set} />;
    case 'adapter':
      return <AdapterSettings m={m} set={set} />;
    case 'prefix':
      return <PrefixSettings m={m} set={set} />;
    case 'lwo':
      return <LwoSettings m={m} set={set} />;
    case 'telly':
      return <NumberField label="K (frozen layers, embeddings included)" value={m.k} onChange={(v) => set('k', v)} testId="telly-k" />;
    default:
      return null;
  }
}
