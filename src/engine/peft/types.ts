/** The lab's PEFT configuration: plain serializable data (docs/PEFT_CONFIG.md). */

export type AdapterActivation = 'relu' | 'gelu' | 'swish';
export type AdapterPlacement = 'houlsby' | 'attn' | 'ffn';
export type LwoSchedule = 'top-down' | 'bottom-up' | 'random';

export interface FullConfig {
  readonly type: 'full';
}
export interface BitfitConfig {
  readonly type: 'bitfit';
}
export interface LayerNormConfig {
  readonly type: 'layernorm';
}
export interface LoraConfig {
  readonly type: 'lora';
  readonly r: number;
  readonly alpha: number;
  readonly dropout: number;
  readonly targets: readonly string[];
  readonly rslora: boolean;
  readonly layers: readonly number[] | null;
  /** peft's rank_pattern / alpha_pattern: per-module r and alpha, keyed by a regex the module path ends with. */
  readonly rankPattern?: Readonly<Record<string, number>>;
  readonly alphaPattern?: Readonly<Record<string, number>>;
}
export interface AdapterConfig {
  readonly type: 'adapter';
  readonly placement: AdapterPlacement;
  readonly size: number;
  readonly activation: AdapterActivation;
  readonly layers: readonly number[] | null;
}
export interface PrefixConfig {
  readonly type: 'prefix';
  readonly length: number;
  readonly projection: { readonly hidden: number } | null;
  readonly layers: readonly number[] | null;
}
export interface TellyConfig {
  readonly type: 'telly';
  readonly k: number;
}
export interface LwoConfig {
  readonly type: 'lwo';
  readonly group: number;
  readonly schedule: LwoSchedule;
  readonly phaseSteps: number;
}

export type MethodConfig =
  | FullConfig
  | BitfitConfig
  | LayerNormConfig
  | LoraConfig
  | AdapterConfig
  | PrefixConfig
  | TellyConfig
  | LwoConfig;

export type MethodType = MethodConfig['type'];

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
