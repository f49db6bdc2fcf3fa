/**
 * Labelled form controls shared by the panels. Number fields keep what the user typed: text that is not a
 * number is passed on as text, so the engine's validator names the problem instead of the field silently
 * snapping back.
 */
import { useEffect, useId, useState, type ReactNode } from 'react';

interface FieldProps {
  readonly label: string;
  readonly help?: ReactNode;
  readonly testId?: string;
}

function Help({ id, help }: { readonly id: string; readonly help?: ReactNode }) {
  return help ? (
    <span id={id} className="field-help">
      {help}
    </span>
  ) : null;
}

function shown(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value);
}

export function NumberField({ label, help, testId, value, onChange, disabled }: FieldProps & { readonly value: unknown; readonly onChange: (v: unknown) => void; readonly disabled?: boolean }) {
  const id = useId();
  const [text, setText] = useState(shown(value));
  useEffect(() => {
    // Follow outside changes (a preset), but do not rewrite "1e-5" as "0.00001" while it is being typed.
    setText((t) => (t.trim() !== '' && Number(t) === value ? t : shown(value)));
  }, [value]);
  return (
    <label className="field" htmlFor={id}>
      <span className="field-label">{label}</span>
      <input
        id={id}
        type="text"
        inputMode="decimal"
        value={text}
        disabled={disabled}
        data-testid={testId}
        aria-describedby={help ? `${id}-help` : undefined}
        onChange={(e) => {
          const t = e.target.value;
          setText(t);
          const n = Number(t);
          onChange(t.trim() !== '' && Number.isFinite(n) ? n : t);
        }}
      />
      <Help id={`${id}-help`} help={help} />
    </label>
  );
}

export function TextField({ label, help, testId, value, onChange, placeholder, disabled }: FieldProps & { readonly value: string; readonly onChange: (v: string) => void; readonly placeholder?: string; readonly disabled?: boolean }) {
  const id = useId();
  return (
    <label className="field" htmlFor={id}>
      <span className="field-label">{label}</span>
      <input id={id} type="text" value={value} placeholder={placeholder} disabled={disabled} data-testid={testId} aria-describedby={help ? `${id}-help` : undefined} onChange={(e) => onChange(e.target.value)} />
      <Help id={`${id}-help`} help={help} />
    </label>
  );
}

export interface Option {
  readonly value: string;
  readonly label: string;
  readonly group?: string;
}

function optionsOf(options: readonly Option[]): ReactNode {
  const groups = [...new Set(options.map((o) => o.group ?? ''))];
  if (groups.length === 1 && groups[0] === '') return options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>);
  return groups.map((g) => (
    <optgroup key={g} label={g}>
      {options.filter((o) => (o.group ?? '') === g).map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
    </optgroup>
  ));
}

export function SelectField({ label, help, testId, value, options, onChange }: FieldProps & { readonly value: string; readonly options: readonly Option[]; readonly onChange: (v: string) => void }) {
  const id = useId();
  return (
    <label className="field" htmlFor={id}>
      <span className="field-label">{label}</span>
      <select id={id} value={value} data-testid={testId} aria-describedby={help ? `${id}-help` : undefined} onChange={(e) => onChange(e.target.value)}>
        {optionsOf(options)}
      </select>
      <Help id={`${id}-help`} help={help} />
    </label>
  );
}

export function CheckField({ label, help, testId, checked, onChange, disabled }: FieldProps & { readonly checked: boolean; readonly onChange: (v: boolean) => void; readonly disabled?: boolean }) {
  const id = useId();
  return (
    <label className="check" htmlFor={id}>
      <input id={id} type="checkbox" checked={checked} disabled={disabled} data-testid={testId} aria-describedby={help ? `${id}-help` : undefined} onChange={(e) => onChange(e.target.checked)} />
      <span>{label}</span>
      <Help id={`${id}-help`} help={help} />
    </label>
  );
}
