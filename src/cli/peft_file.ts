/** Reads --peft-config: a Hugging Face peft adapter_config.json (LoRA) or the lab's own JSON. */
import { existsSync, readFileSync } from 'node:fs';
import type { EncoderConfig } from '../engine/model/config';
import { ConfigError } from '../engine/peft/fields';
import { LORA_DEFAULTS } from '../engine/peft/lora';
import { parsePeftConfig } from '../engine/peft/parse';
import type { PeftConfig } from '../engine/peft/types';
import { CliError } from './errors';

export const DEFAULT_PEFT = { methods: [LORA_DEFAULTS] } as const;

export function readPeftConfig(path: string | undefined, model: EncoderConfig): PeftConfig {
  if (path === undefined) return parsePeftConfig(DEFAULT_PEFT, model);
  if (!existsSync(path)) throw new CliError(`--peft-config ${path} does not exist`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CliError(`--peft-config ${path} is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  try {
    return parsePeftConfig(json, model);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(`${path}: ${error.problems.join('; ')}`);
    throw error;
  }
}
