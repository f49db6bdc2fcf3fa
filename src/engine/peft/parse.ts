/**
 * Parses and validates a PEFT configuration: the lab's own JSON (docs/PEFT_CONFIG.md) or a Hugging Face peft
 * `adapter_config.json` (LoRA or prefix-tuning, src/engine/peft/hf_peft.ts). Every problem is reported at once in one ConfigError.
 */
import type { EncoderConfig } from '../model/config';
import { asObject, ConfigError, FieldReader } from './fields';
import { fromHfPeft } from './hf_peft';
import { parseMethodFields } from './method_fields';
import { isMethodType, METHOD_TYPES, moduleFor, moduleOf, type MethodConfig } from './registry';
import type { PeftConfig } from './types';

export function parsePeftConfig(json: unknown, model: EncoderConfig): PeftConfig {
  const problems: string[] = [];
  const root = asObject(json, 'config', problems);
  if (problems.length === 0 && typeof root.peft_type === 'string') return fromHfPeft(root, model);
  const top = new FieldReader(root, 'config', problems);
  top.rejectUnknown(['methods', 'layers', 'trainPooler']);
  const rawMethods = root.methods;
  const methods: MethodConfig[] = [];
  if (!Array.isArray(rawMethods) || rawMethods.length === 0) {
    problems.push('config.methods: must be a non-empty list of methods, e.g. [{ "type": "lora", "r": 8 }]');
  } else {
    rawMethods.forEach((raw, i) => {
      const method = parseMethod(raw, `config.methods[${i}]`, model, problems);
      if (method) methods.push(method);
    });
  }
  const config: PeftConfig = { methods, layers: top.layers('layers', model.layers), trainPooler: top.bool('trainPooler', false) };
  checkCombination(config, problems);
  if (problems.length > 0) throw new ConfigError('The PEFT configuration', problems);
  return config;
}

function parseMethod(raw: unknown, path: string, model: EncoderConfig, problems: string[]): MethodConfig | null {
  const obj = asObject(raw, path, problems);
  const type = obj.type;
  if (!isMethodType(type)) {
    problems.push(`${path}.type: must be one of ${METHOD_TYPES.map((t) => `"${t}"`).join(', ')} (got ${JSON.stringify(type)})`);
    return null;
  }
  return parseMethodFields(type, new FieldReader(obj, path, problems), model);
}

function checkCombination(config: PeftConfig, problems: string[]): void {
  const types = config.methods.map((m) => m.type);
  for (const t of new Set(types)) {
    if (types.filter((x) => x === t).length > 1) problems.push(`config.methods: "${t}" appears more than once`);
  }
  for (const m of config.methods) {
    for (const other of moduleFor(m).exclusiveWith ?? []) if (types.includes(other as MethodConfig['type'])) problems.push(`config.methods: ${m.type} and ${other} cannot be combined (both change the same linear layers)`);
  }
  const exclusive = config.methods.filter((m) => moduleFor(m).decidesBaseLayers).map((m) => m.type);
  if (exclusive.length > 1) problems.push(`config.methods: ${exclusive.join(' and ')} cannot be combined (each decides which layers train)`);
  if (config.layers && !config.methods.some((m) => moduleFor(m).addsModules)) {
    problems.push(`config.layers: only applies to methods that add modules (${METHOD_TYPES.filter((t) => moduleOf(t).addsModules).join(', ')})`);
  }
}
