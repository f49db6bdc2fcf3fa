/** LoRA's configuration and its defaults, written once. */

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

/**
 * LoRA's defaults: peft's own (LoraConfig r = 8, lora_alpha = 8, lora_dropout = 0, targets query and value for
 * RoBERTa), so a configuration that leaves a field out means what it means in peft. The schema, the importer of
 * peft files and the CLI's default method take them from here.
 */
export const LORA_DEFAULTS: Omit<LoraConfig, 'layers'> = { type: 'lora', r: 8, alpha: 8, dropout: 0, targets: ['query', 'value'], rslora: false };
