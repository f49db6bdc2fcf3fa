/** Every PEFT method, registered by name: the one place the UI, the CLI and the engine look methods up. */
import { adapter } from './adapter';
import { bitfit, full, layernorm, telly } from './base_methods';
import { lora } from './lora';
import { lwo } from './lwo';
import type { PeftModule } from './module';
import { prefix } from './prefix';
import type { MethodConfig, MethodType } from './types';

export const PEFT_MODULES: { readonly [T in MethodType]: PeftModule<Extract<MethodConfig, { type: T }>> } = {
  full,
  bitfit,
  layernorm,
  lora,
  adapter,
  prefix,
  telly,
  lwo,
};

export const METHOD_TYPES = Object.keys(PEFT_MODULES) as MethodType[];

export function moduleFor<C extends MethodConfig>(config: C): PeftModule<C> {
  return PEFT_MODULES[config.type] as unknown as PeftModule<C>;
}

/** Methods that decide which base layers train; at most one of them per run. */
export const EXCLUSIVE_BASE_METHODS: readonly MethodType[] = ['full', 'telly', 'lwo'];
