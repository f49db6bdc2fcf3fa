/**
 * The settings of one selected PEFT method, drawn from the method's schema (src/engine/peft/<method>/): every
 * field, label, help text and default comes from there, so the page cannot disagree with the CLI or the docs.
 */
import type { EncoderConfig } from '../../../engine/model/config';
import { FieldReader } from '../../../engine/peft/fields';
import { parseMethodFields } from '../../../engine/peft/method_fields';
import { moduleOf, type MethodType } from '../../../engine/peft/registry';
import type { FieldSpec, OptionalIntField } from '../../../engine/peft/schema';
import { CheckField, NumberField, SelectField } from '../../components/fields';
import type { MethodDraft } from '../../store/configSlice';
import { useLab } from '../../store/store';

type SetField = (field: string, value: unknown) => void;

interface FieldProps {
  readonly spec: FieldSpec;
  readonly value: unknown;
  readonly set: SetField;
  readonly testId: string;
}

function NamesChecks({ spec, value, set }: FieldProps & { readonly spec: Extract<FieldSpec, { kind: 'names' }> }) {
  const names = Array.isArray(value) ? (value as string[]) : [];
  const toggle = (name: string, on: boolean): void => set(spec.key, on ? [...names, name] : names.filter((t) => t !== name));
  return (
    <fieldset className="targets">
      <legend>{spec.label}</legend>
      {spec.options.map((name) => (
        <CheckField key={name} label={name} checked={names.includes(name)} onChange={(on) => toggle(name, on)} />
      ))}
    </fieldset>
  );
}

function OptionalInt({ spec, value, set, testId }: FieldProps & { readonly spec: OptionalIntField }) {
  const inner = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[spec.inner] : undefined;
  const on = value !== null && value !== undefined;
  return (
    <>
      <CheckField label={spec.label} checked={on} onChange={(v) => set(spec.key, v ? { [spec.inner]: spec.whenOn } : null)} testId={testId} />
      {on && <NumberField label={spec.innerLabel} value={inner} onChange={(v) => set(spec.key, { [spec.inner]: v })} />}
    </>
  );
}

function Field(props: FieldProps) {
  const { spec, value, set, testId } = props;
  switch (spec.kind) {
    case 'int':
    case 'number':
      return <NumberField label={spec.label} value={value} onChange={(v) => set(spec.key, v)} testId={testId} help={typeof spec.default === 'number' ? `default ${spec.default}` : undefined} />;
    case 'bool':
      return <CheckField label={spec.label} checked={value === true} onChange={(on) => set(spec.key, on)} testId={testId} />;
    case 'choice':
      return <SelectField label={spec.label} value={String(value)} options={spec.options} onChange={(v) => set(spec.key, v)} testId={testId} />;
    case 'names':
      return <NamesChecks {...props} spec={spec} />;
    case 'optional-int':
      return <OptionalInt {...props} spec={spec} />;
    case 'layers':
      return null;
  }
}

/** The method's derived value (LoRA's scale) when the draft is a valid configuration, else nothing. */
function hintOf(m: MethodDraft, model: EncoderConfig): string | null {
  const module = moduleOf(m.type);
  if (!module.hint) return null;
  const problems: string[] = [];
  const config = parseMethodFields(m.type, new FieldReader(m, 'draft', problems), model);
  return problems.length === 0 ? module.hint(config, model) : null;
}

export function MethodSettings({ m }: { readonly m: MethodDraft }) {
  const setMethodField = useLab((s) => s.setMethodField);
  const model = useLab((s) => s.checkedModel.config);
  const set: SetField = (field, value) => setMethodField(m.type as MethodType, field, value);
  const fields = moduleOf(m.type).fields.filter((f) => !f.hidden);
  if (fields.length === 0) return null;
  // Number and choice fields share a grid; check boxes and lists of them take rows of their own.
  const inGrid = (f: FieldSpec): boolean => f.kind === 'int' || f.kind === 'number' || f.kind === 'choice';
  const grid = fields.filter(inGrid);
  const rows = fields.filter((f) => !inGrid(f));
  const hint = hintOf(m, model);
  const field = (spec: FieldSpec) => <Field key={spec.key} spec={spec} value={m[spec.key]} set={set} testId={`${m.type}-${spec.key}`} />;
  return (
    <>
      {grid.length > 0 && <div className="grid3">{grid.map(field)}</div>}
      {rows.map(field)}
      {hint && <p className="muted small">{hint}</p>}
    </>
  );
}
