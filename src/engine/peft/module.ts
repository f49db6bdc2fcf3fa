/** What every PEFT method provides to the engine (peft's config / layer / model split, as plain functions). */
import type { EncoderConfig } from '../model/config';
import type { ParamSpec } from '../model/params';
import type { FieldReader } from './fields';
import type { MethodConfig } from './types';

export interface PeftModule<C extends MethodConfig = MethodConfig> {
  readonly type: C['type'];
  /** Short name for tables and charts. */
  readonly label: string;
  /** One sentence for the configuration panel. */
  readonly help: string;
  /** Whether the method adds modules (and so accepts a layer restriction). */
  readonly addsModules: boolean;
  /** Reads the method's fields, reporting problems through the reader. */
  parse(fields: FieldReader, model: EncoderConfig): C;
  /** Parameters the method adds to the model (none for methods that only unfreeze base weights). */
  addedParams(config: C, model: EncoderConfig, layers: readonly number[]): ParamSpec[];
  /** Whether the method trains this base parameter (over the whole run; LWO narrows it per phase). */
  trainsBase(config: C, spec: ParamSpec): boolean;
  /** The thesis' count (Table 4.2 convention: no adapter biases), over the given layers. */
  paperCount(config: C, model: EncoderConfig, layers: readonly number[]): number;
}

export function allLayers(model: EncoderConfig): number[] {
  return Array.from({ length: model.layers }, (_, l) => l);
}
