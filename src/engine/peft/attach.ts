/**
 * What the encoder asks of a run's methods, answered through the registry: which linears carry a low-rank
 * branch or a channel scale, where adapters sit, how long the K/V prefix is, and which layers a schedule
 * trains at a step. The model code calls these and never looks at a method's type.
 */
import type { EncoderConfig } from '../model/config';
import type { AdapterActivation, AdapterSite, Attachments } from './module';
import { moduleFor, type MethodConfig } from './registry';
import type { PeftConfig } from './types';

type Hooks = Attachments<MethodConfig>;

/** The first method answering a hook, with its answer (a run combines at most one method per attachment kind). */
function first<R>(peft: PeftConfig, ask: (hooks: Hooks, m: MethodConfig) => R | null | undefined): R | null {
  for (const m of peft.methods) {
    const answer = ask(moduleFor(m).attach, m);
    if (answer !== null && answer !== undefined) return answer;
  }
  return null;
}

export function lowRankAt(peft: PeftConfig, path: string): { readonly rank: number; readonly scale: number } | null {
  return first(peft, (h, m) => h.lowRank?.(m, path));
}

/** Dropout on the low-rank branches' input (0 without one). */
export function branchDropout(peft: PeftConfig): number {
  return first(peft, (h, m) => h.branchDropout?.(m)) ?? 0;
}

export function channelScaleAt(peft: PeftConfig, path: string): 'input' | 'output' | null {
  return first(peft, (h, m) => h.channelScale?.(m, path));
}

export interface ResidualAdapters {
  readonly sites: readonly AdapterSite[];
  readonly size: number;
  readonly activation: AdapterActivation;
}

export function residualAdapters(peft: PeftConfig): ResidualAdapters | null {
  return first(peft, (h, m) => h.residualAdapters?.(m));
}

export interface PrefixShape {
  readonly length: number;
  readonly mlpHidden: number | null;
}

export function prefixShape(peft: PeftConfig): PrefixShape | null {
  return first(peft, (h, m) => h.prefix?.(m));
}

/** Key/value prefix rows per layer (0 without prefix-tuning). */
export function prefixLength(peft: PeftConfig): number {
  return prefixShape(peft)?.length ?? 0;
}

/** The layers a schedule trains at `step` (0-based), or null when every trainable tensor trains every step. */
export function scheduledLayers(peft: PeftConfig, model: EncoderConfig, step: number, seed: number): number[] | null {
  return first(peft, (h, m) => h.schedule?.activeLayers(m, model, step, seed));
}

/** Steps where the scheduled set changes over one cycle (none without a schedule). */
export function scheduleChanges(peft: PeftConfig, model: EncoderConfig): number[] {
  return first(peft, (h, m) => h.schedule?.changes(m, model)) ?? [];
}
