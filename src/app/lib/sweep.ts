/**
 * Sweeps: a grid of one setting's values × seeds, expanded into run configurations that are queued and run
 * one after another. Values are applied to the plain JSON and every configuration is validated again by the
 * caller (parseRunConfig), so a value the model cannot take is reported before anything runs.
 */
import { METHOD_SWEEP_AXES } from '../../engine/peft/method_fields';
import type { RunConfig } from '../../engine/train/run_config';

/** 'none', 'recipe.lr', 'recipe.batchSize', or a method's field ("lora.r"): the methods' schemas list theirs. */
export type SweepParam = string;

export const SWEEP_PARAMS: readonly { readonly id: SweepParam; readonly label: string; readonly method?: string }[] = [
  { id: 'none', label: 'Only seeds' },
  ...METHOD_SWEEP_AXES.map((a) => ({ id: a.id, label: a.label, method: a.type })),
  { id: 'recipe.lr', label: 'Learning rate' },
  { id: 'recipe.batchSize', label: 'Batch size' },
];

/** "32, 64 128;256" → [32, 64, 128, 256]; null when something is not a number. */
export function parseValueList(text: string): number[] | null {
  const parts = text.split(/[\s,;]+/).filter((p) => p.length > 0);
  if (parts.length === 0) return null;
  const values = parts.map(Number);
  return values.every((v) => Number.isFinite(v)) ? values : null;
}

type Json = Record<string, unknown>;

function withMethodField(config: RunConfig, type: string, field: string, value: number): Json {
  const ratio = METHOD_SWEEP_AXES.find((a) => a.type === type && a.key === field)?.keepsRatio;
  const methods = config.peft.methods.map((m): Json => {
    const fields = { ...m } as Json;
    if (m.type !== type) return fields;
    const old = fields[field];
    const kept = ratio && typeof fields[ratio] === 'number' && typeof old === 'number' ? { [ratio]: ((fields[ratio] as number) / old) * value } : {};
    return { ...fields, [field]: value, ...kept };
  });
  return { ...config, peft: { ...config.peft, methods } };
}

/** The JSON of `config` with `param` set to `value` (validated afterwards by the caller). */
export function applySweepValue(config: RunConfig, param: SweepParam, value: number): Json {
  switch (param) {
    case 'none':
      return { ...config };
    case 'recipe.lr':
      return { ...config, recipe: { ...config.recipe, lr: value } };
    case 'recipe.batchSize':
      return { ...config, recipe: { ...config.recipe, batchSize: value } };
    default: {
      const [type, field] = param.split('.') as [string, string];
      return withMethodField(config, type, field, value);
    }
  }
}

export interface SweepPoint {
  readonly json: Json;
  /** What differs from the base configuration, for the run's name ("r = 64, seed 123"). */
  readonly label: string;
}

export function expandSweep(config: RunConfig, param: SweepParam, values: readonly number[], seeds: readonly number[]): SweepPoint[] {
  const points: SweepPoint[] = [];
  const short = SWEEP_PARAMS.find((p) => p.id === param)?.label.split(' (')[0] ?? param;
  for (const value of param === 'none' ? [NaN] : values) {
    for (const seed of seeds) {
      const json = applySweepValue(config, param, value);
      const recipe = { ...(json.recipe as Json), seed };
      const label = param === 'none' ? `seed ${seed}` : `${short} = ${value}, seed ${seed}`;
      points.push({ json: { ...json, recipe }, label });
    }
  }
  return points;
}
