/**
 * Layer-wise optimization. The LWO paper does not publish its per-step schedule, so the lab implements and
 * names its own: the encoder layers are split into groups of `group` consecutive layers, and one group at a
 * time is trainable for `phaseSteps` steps, cycling top-down, bottom-up, or in a seeded random order
 * (a fresh permutation per cycle, as LISA samples layers). Only the active group pays for gradients and
 * optimizer work; the embeddings stay frozen and the pooler trains only with `trainPooler`.
 */
import type { EncoderConfig } from '../model/config';
import type { PeftModule } from './module';
import type { LwoConfig } from './types';

export const lwo: PeftModule<LwoConfig> = {
  type: 'lwo',
  label: 'LWO',
  help: 'Layer-wise optimization: trains one group of layers at a time, switching every few steps.',
  addsModules: false,
  parse(f, model) {
    f.rejectUnknown(['type', 'group', 'schedule', 'phaseSteps']);
    return {
      type: 'lwo',
      group: f.int('group', 1, model.layers, 1),
      schedule: f.oneOf('schedule', ['top-down', 'bottom-up', 'random'], 'top-down'),
      phaseSteps: f.int('phaseSteps', 1, 1_000_000, 100),
    };
  },
  addedParams: () => [],
  trainsBase: (_c, spec) => spec.location.kind === 'layer',
  paperCount: () => 0,
};

/** The layers trainable at `step` (0-based) under the schedule; `seed` drives the random order. */
export function lwoActiveLayers(config: LwoConfig, model: EncoderConfig, step: number, seed: number): number[] {
  const groups = Math.ceil(model.layers / config.group);
  const phase = Math.floor(step / config.phaseSteps);
  const cycle = Math.floor(phase / groups);
  const slot = phase % groups;
  let g: number;
  if (config.schedule === 'bottom-up') g = slot;
  else if (config.schedule === 'top-down') g = groups - 1 - slot;
  else g = permutation(groups, seed, cycle)[slot]!;
  const first = g * config.group;
  return Array.from({ length: Math.min(config.group, model.layers - first) }, (_, i) => first + i);
}

/** Seeded Fisher–Yates shuffle of 0..n-1 (one permutation per cycle). */
function permutation(n: number, seed: number, cycle: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let s = (seed ^ Math.imul(cycle + 1, 0x9e3779b9)) >>> 0;
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}
