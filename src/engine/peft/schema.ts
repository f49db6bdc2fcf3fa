/**
 * A method's configuration fields, written once: kind, default, bounds, label and help. The parser, the
 * dashboard's fields, a new method's starting values, sweeps and docs/PEFT_CONFIG.md are all derived from it, so
 * a default cannot disagree between the CLI and the page (LoRA alpha once did).
 */
import type { EncoderConfig } from '../model/config';
import type { FieldReader } from './fields';

/** A bound or default that depends on the model (Telly's K is at most the layer count). */
export type ModelNumber = number | ((model: EncoderConfig) => number);

interface Common {
  readonly key: string;
  readonly label: string;
  readonly help: string;
  /** Fields the dashboard sets elsewhere (a method's `layers` comes from the panel's layer picker). */
  readonly hidden?: boolean;
}

export interface IntField extends Common {
  readonly kind: 'int';
  readonly min: number;
  readonly max: ModelNumber;
  readonly default: ModelNumber;
  /** A configuration must give it (the default only starts the dashboard's field). */
  readonly required?: boolean;
  /** Offered as a sweep axis; `keepsRatio` names a field scaled with it (LoRA's alpha with r keeps the scale). */
  readonly sweep?: { readonly label: string; readonly keepsRatio?: string };
}
export interface NumberField extends Common {
  readonly kind: 'number';
  readonly min: number;
  readonly max: number;
  readonly default: number;
}
export interface BoolField extends Common {
  readonly kind: 'bool';
  readonly default: boolean;
}
export interface ChoiceField extends Common {
  readonly kind: 'choice';
  readonly options: readonly { readonly value: string; readonly label: string }[];
  readonly default: string;
}
/** A list of names (LoRA's target modules); the dashboard offers `options` as check boxes. */
export interface NamesField extends Common {
  readonly kind: 'names';
  readonly options: readonly string[];
  readonly default: readonly string[];
}
/** `null` (all layers) or distinct 0-based layer indices. */
export interface LayersField extends Common {
  readonly kind: 'layers';
}
/** `null` (off) or `{ [inner]: integer }` (prefix-tuning's MLP projection `{ "hidden": 512 }`). */
export interface OptionalIntField extends Common {
  readonly kind: 'optional-int';
  readonly inner: string;
  readonly innerLabel: string;
  readonly min: number;
  readonly max: number;
  /** The value the dashboard starts with when the option is switched on. */
  readonly whenOn: number;
}

export type FieldSpec = IntField | NumberField | BoolField | ChoiceField | NamesField | LayersField | OptionalIntField;

export function resolve(n: ModelNumber, model: EncoderConfig): number {
  return typeof n === 'function' ? n(model) : n;
}

/** Reads one field of an untrusted object, reporting problems through the reader. */
export function readField(spec: FieldSpec, f: FieldReader, model: EncoderConfig): unknown {
  switch (spec.kind) {
    case 'int':
      return f.int(spec.key, spec.min, resolve(spec.max, model), spec.required ? undefined : resolve(spec.default, model));
    case 'number':
      return f.num(spec.key, spec.min, spec.max, spec.default);
    case 'bool':
      return f.bool(spec.key, spec.default);
    case 'choice':
      return f.oneOf(spec.key, spec.options.map((o) => o.value), spec.default);
    case 'names':
      return f.strings(spec.key, spec.default);
    case 'layers':
      return f.layers(spec.key, model.layers);
    case 'optional-int':
      return readOptionalInt(spec, f);
  }
}

function readOptionalInt(spec: OptionalIntField, f: FieldReader): Readonly<Record<string, number>> | null {
  const raw = f.raw(spec.key);
  if (raw === undefined || raw === null) return null;
  const inner = typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>)[spec.inner] : undefined;
  if (typeof inner === 'number' && Number.isInteger(inner) && inner >= spec.min && inner <= spec.max) return { [spec.inner]: inner };
  f.problem(spec.key, `must be null or { "${spec.inner}": <integer in [${spec.min}, ${spec.max}]> }`);
  return null;
}

/** The value a new method starts with in the dashboard (and what an absent optional field means). */
export function defaultValue(spec: FieldSpec, model: EncoderConfig): unknown {
  switch (spec.kind) {
    case 'int':
      return resolve(spec.default, model);
    case 'names':
      return [...spec.default];
    case 'layers':
    case 'optional-int':
      return null;
    default:
      return spec.default;
  }
}

/** One line per field for docs/PEFT_CONFIG.md (generated, and checked by a test to be current). */
export function fieldDoc(spec: FieldSpec): string {
  const code = (v: unknown): string => `\`${JSON.stringify(v)}\``;
  switch (spec.kind) {
    case 'int':
      return `\`${spec.key}\` integer in [${spec.min}, ${typeof spec.max === 'number' ? spec.max : 'layers'}], ${spec.required ? 'required' : `default ${typeof spec.default === 'number' ? spec.default : 'model-dependent'}`}: ${spec.help}`;
    case 'number':
      return `\`${spec.key}\` number in [${spec.min}, ${spec.max}], default ${spec.default}: ${spec.help}`;
    case 'bool':
      return `\`${spec.key}\` true/false, default ${spec.default}: ${spec.help}`;
    case 'choice':
      return `\`${spec.key}\` one of ${spec.options.map((o) => code(o.value)).join(', ')}, default ${code(spec.default)}: ${spec.help}`;
    case 'names':
      return `\`${spec.key}\` list of module names, default ${code(spec.default)}: ${spec.help}`;
    case 'layers':
      return `\`${spec.key}\` \`null\` or 0-based layer indices: ${spec.help}`;
    case 'optional-int':
      return `\`${spec.key}\` \`null\` or \`{ "${spec.inner}": N }\`: ${spec.help}`;
  }
}
