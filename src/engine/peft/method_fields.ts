/**
 * A method's configuration through its schema: parsed from untrusted JSON, or started fresh with its
 * defaults (the dashboard's new method), and the sweep axes the schemas offer.
 */
import type { EncoderConfig } from '../model/config';
import type { FieldReader } from './fields';
import { METHOD_TYPES, moduleOf, type MethodConfig, type MethodType } from './registry';
import { defaultValue, readField } from './schema';

/** A method's fields as its schema says, then its own cross-field checks; problems go to the reader. */
export function parseMethodFields(type: MethodType, f: FieldReader, model: EncoderConfig): MethodConfig {
  const module = moduleOf(type);
  f.rejectUnknown(['type', ...module.fields.map((s) => s.key), ...(module.extraKeys ?? [])]);
  const values = Object.fromEntries(module.fields.map((spec) => [spec.key, readField(spec, f, model)]));
  const config = { type, ...values } as unknown as MethodConfig;
  return module.check ? module.check(config, f, model) : config;
}

/** A method as the dashboard starts it: every field at its schema default. */
export function defaultMethod(type: MethodType, model: EncoderConfig): { readonly type: MethodType } & Record<string, unknown> {
  return { type, ...Object.fromEntries(moduleOf(type).fields.map((spec) => [spec.key, defaultValue(spec, model)])) };
}

export interface SweepAxis {
  /** "lora.r" */
  readonly id: string;
  readonly type: MethodType;
  readonly key: string;
  readonly label: string;
  /** A field scaled in proportion (LoRA's alpha with r, so alpha / r stays). */
  readonly keepsRatio?: string;
}

/** Every integer field a schema offers as a sweep axis, in registry order. */
export const METHOD_SWEEP_AXES: readonly SweepAxis[] = METHOD_TYPES.flatMap((type) =>
  moduleOf(type).fields.flatMap((spec) => (spec.kind === 'int' && spec.sweep ? [{ id: `${type}.${spec.key}`, type, key: spec.key, label: spec.sweep.label, ...(spec.sweep.keepsRatio ? { keepsRatio: spec.sweep.keepsRatio } : {}) }] : [])),
);
