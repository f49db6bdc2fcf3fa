/** The lab's PEFT configuration: plain serializable data (docs/PEFT_CONFIG.md). */
import type { MethodConfig, MethodType } from './registry';

export type { MethodConfig, MethodType } from './registry';
export type { AdapterActivation } from './module';
export type { AdapterConfig, AdapterPlacement } from './adapter';
export type { BitfitConfig } from './bitfit';
export type { FullConfig } from './full';
export type { LayerNormConfig } from './layernorm';
export type { LoraConfig } from './lora/config';
export type { LwoConfig, LwoSchedule } from './lwo';
export type { PrefixConfig } from './prefix';
export type { TellyConfig } from './telly';

export interface PeftConfig {
  readonly methods: readonly MethodConfig[];
  /** Restricts every module-adding method to these layers (a method's own `layers` wins). */
  readonly layers: readonly number[] | null;
  /** Train the pooler even when the methods leave base weights frozen. */
  readonly trainPooler: boolean;
}

export function methodOf<T extends MethodType>(peft: PeftConfig, type: T): Extract<MethodConfig, { type: T }> | undefined {
  return peft.methods.find((m): m is Extract<MethodConfig, { type: T }> => m.type === type);
}
