/**
 * Loads the golden fixtures the real transformers/peft compute (tools/pyref/make_golden.py, run by
 * tests/setup/pyref.ts into .pyref/golden/) for the engine tests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GOLDEN_DIR } from '../helpers/pyref_paths';
import { readSafeTensors, type SafeTensorsFile } from '../../src/engine/io/safetensors';
import { configFromHf, type EncoderConfig } from '../../src/engine/model/config';

const DIR = GOLDEN_DIR;

export interface GoldenCase {
  readonly case: string;
  readonly peft: unknown;
  readonly pooling: 'pooler' | 'cls' | 'mean';
  readonly normalize: boolean;
  readonly scale: number;
  readonly batch: { readonly size: number; readonly codeLength: number; readonly nlLength: number; readonly steps: number };
  readonly optimizer: { readonly lr: number; readonly betas: [number, number]; readonly eps: number; readonly weightDecay: number; readonly maxGradNorm: number };
  readonly schedule: { readonly warmupSteps: number; readonly totalSteps: number; readonly lrs: number[] };
  /** What computed the case: transformers.RobertaModel with peft or with lab_methods.py. */
  readonly reference: string;
  readonly trainable: string[];
  readonly unstable: string[];
  readonly adamSteps: Record<string, number>;
  readonly losses: number[];
  readonly gradNorms: number[];
}

export const GOLDEN_CASES = [
  'full',
  'bitfit',
  'layernorm',
  'lora',
  'lora_all',
  'lora_layers',
  'lora_patterns',
  'adapter_houlsby',
  'adapter_attn',
  'adapter_ffn',
  'prefix',
  'prefix_mlp',
  'ia3',
  'ia3_layers',
  'telly1',
  'lwo',
  'loff',
  'lora_mean_norm',
] as const;

export function goldenConfig(): EncoderConfig {
  return configFromHf(JSON.parse(readFileSync(join(DIR, 'config.json'), 'utf8')));
}

export function goldenTensors(file: string): SafeTensorsFile {
  return readSafeTensors(new Uint8Array(readFileSync(join(DIR, file))), file);
}

export function goldenCase(name: string): { meta: GoldenCase; tensors: SafeTensorsFile } {
  return { meta: JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as GoldenCase, tensors: goldenTensors(`${name}.safetensors`) };
}

export function f32(file: SafeTensorsFile, name: string): Float32Array {
  const t = file.tensors.get(name);
  if (!t || !(t.data instanceof Float32Array)) throw new Error(`fixture has no f32 tensor "${name}"`);
  return t.data;
}

/** Step s's batch of ids (B, T) as the engine uploads them. */
export function goldenBatch(file: SafeTensorsFile, name: 'code_ids' | 'nl_ids', step: number): Uint32Array {
  const t = file.tensors.get(name);
  if (!t || !(t.data instanceof Int32Array)) throw new Error(`fixture has no i32 tensor "${name}"`);
  const per = t.shape[1]! * t.shape[2]!;
  return Uint32Array.from(t.data.subarray(step * per, (step + 1) * per));
}
