/**
 * Layer-wise optimization. The LWO paper does not publish its per-step schedule, so the lab implements and
 * names its own: the encoder layers are split into groups of `group` consecutive layers, and one group at a
 * time is trainable for `phaseSteps` steps, cycling top-down, bottom-up, or in a seeded random order
 * (a fresh permutation per cycle, as LISA samples layers). Only the active group pays for gradients and
 * optimizer work; the embeddings stay frozen and the pooler trains only with `trainPooler`.
 */
import type { EncoderConfig } from '../../model/config';
import { inLayers } from '../base_sets';
import type { PeftModule } from '../module';

export type LwoSchedule = 'top-down' | 'bottom-up' | 'random';

export interface LwoConfig {
  readonly type: 'lwo';
  readonly group: number;
  readonly schedule: LwoSchedule;
  readonly phaseSteps: number;
}

export const lwo: PeftModule<LwoConfig> = {
  type: 'lwo',
  label: 'LWO',
  help: 'Layer-wise optimization: trains one group of layers at a time, switching every few steps.',
  fields: [
    { kind: 'int', key: 'group', label: 'Layers per group', min: 1, max: (model) => model.layers, default: 1, help: 'consecutive layers trained together' },
    {
      kind: 'choice',
      key: 'schedule',
      label: 'Schedule',
      options: ['top-down', 'bottom-up', 'random'].map((s) => ({ value: s, label: s })),
      default: 'top-down',
      help: 'the order the groups take turns in (`random`: a seeded permutation per cycle)',
    },
    { kind: 'int', key: 'phaseSteps', label: 'Steps per phase', min: 1, max: 1_000_000, default: 100, help: 'steps each group trains before the next one' },
  ],
  addsModules: false,
  decidesBaseLayers: true,
  mergeable: true,
  shortName: (c) => `LWO-${c.group}`,
  addedParams: () => [],
  trainsBase: (_c, spec) => inLayers(spec),
  paperCount: () => 0,
  attach: {
    schedule: {
      activeLayers: lwoActiveLayers,
      // One cycle over the groups: the first step of every phase after the first.
      changes: (c, model) => Array.from({ length: Math.ceil(model.layers / c.group) - 1 }, (_, k) => (k + 1) * c.phaseSteps),
    },
  },
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
