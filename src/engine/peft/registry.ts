/**
 * Every PEFT method, registered by name: the one list the parser, the dashboard, the CLI, the docs and the
 * engine look methods up in. Adding a method is its folder plus one line here.
 */
import { adapter } from './adapter';
import { bitfit } from './bitfit';
import { full } from './full';
import { ia3 } from './ia3';
import { layernorm } from './layernorm';
import { lora } from './lora';
import { lwo } from './lwo';
import type { PeftModule } from './module';
import { prefix } from './prefix';
import { telly } from './telly';

export const PEFT_MODULES = { full, bitfit, layernorm, lora, adapter, prefix, telly, lwo, ia3 } as const;

type ConfigOf<M> = M extends PeftModule<infer C> ? C : never;
type Modules = typeof PEFT_MODULES;

/** The configuration of any one method (a discriminated union on `type`). */
export type MethodConfig = { [T in keyof Modules]: ConfigOf<Modules[T]> }[keyof Modules];
export type MethodType = keyof Modules;

export const METHOD_TYPES = Object.keys(PEFT_MODULES) as MethodType[];

export function isMethodType(type: unknown): type is MethodType {
  return typeof type === 'string' && Object.hasOwn(PEFT_MODULES, type);
}

/** The module of a configuration (the registry's one cast: `type` keys both). */
export function moduleFor<C extends MethodConfig>(config: C): PeftModule<C> {
  return PEFT_MODULES[config.type] as unknown as PeftModule<C>;
}

export function moduleOf(type: MethodType): PeftModule<MethodConfig> {
  return PEFT_MODULES[type] as unknown as PeftModule<MethodConfig>;
}
