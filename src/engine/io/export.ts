/**
 * Trained weights as files (name → bytes), the same for the CLI (written to a folder) and the UI (downloads):
 *  - LoRA alone: Hugging Face peft's format (`adapter_config.json` + `adapter_model.safetensors`, keys
 *    `base_model.model.<module>.lora_A.weight`), loadable by peft.
 *  - any other added modules (adapters, prefix, combinations): the lab's format, `lab_peft.json` +
 *    `lab_adapter.safetensors` with the parameter names of docs/PEFT_CONFIG.md.
 *  - base weights that trained (full, Telly, BitFit, LayerNorm-only, LWO): a Hugging Face model folder,
 *    `config.json` + `model.safetensors` with every base weight (trained ones updated).
 * Importing reads either adapter format back.
 */
import { configToHf, type EncoderConfig } from '../model/config';
import type { PeftPlan } from '../peft/plan';
import { parsePeftConfig } from '../peft/parse';
import type { LoraConfig, PeftConfig } from '../peft/types';
import { readSafeTensors, writeSafeTensors } from './safetensors';

export type ExportFiles = Map<string, Uint8Array>;

const PEFT_PREFIX = 'base_model.model.';
export const LAB_FORMAT = 'webgpu-finetuning-lab/peft';

export interface ExportInput {
  readonly plan: PeftPlan;
  /** Trainable tensors by name (the run's final or best weights). */
  readonly trained: ReadonlyMap<string, Float32Array>;
  /** The base weights the run started from (frozen ones are exported unchanged). */
  readonly base: ReadonlyMap<string, Float32Array>;
  readonly baseModel: string;
}

export function exportTrained(input: ExportInput): ExportFiles {
  const { plan, trained } = input;
  const files: ExportFiles = new Map();
  const added = plan.added.map((s) => s.name);
  const onlyLora = plan.peft.methods.every((m) => m.type === 'lora');
  if (added.length > 0 && onlyLora) addPeftLora(files, plan, trained, input.baseModel);
  else if (added.length > 0) addLabAdapter(files, plan, trained, input.baseModel);
  if (plan.trainable.some((s) => s.module === 'base')) addModelFolder(files, plan, trained, input.base);
  return files;
}

function json(value: unknown): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
}

function tensorsOf(names: readonly string[], shapeOf: (n: string) => readonly number[], values: ReadonlyMap<string, Float32Array>, rename: (n: string) => string) {
  return names.map((name) => {
    const data = values.get(name);
    if (!data) throw new Error(`export: no value for "${name}"`);
    return { name: rename(name), shape: shapeOf(name), data };
  });
}

function shapes(plan: PeftPlan): (name: string) => readonly number[] {
  const map = new Map([...plan.base, ...plan.added].map((s) => [s.name, s.shape]));
  return (name) => map.get(name) ?? [];
}

function addPeftLora(files: ExportFiles, plan: PeftPlan, trained: ReadonlyMap<string, Float32Array>, baseModel: string): void {
  const lora = plan.peft.methods[0] as LoraConfig;
  files.set('adapter_config.json', json({
    peft_type: 'LORA',
    task_type: null,
    base_model_name_or_path: baseModel,
    r: lora.r,
    lora_alpha: lora.alpha,
    lora_dropout: lora.dropout,
    target_modules: lora.targets,
    use_rslora: lora.rslora,
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    layers_to_transform: lora.layers ?? plan.peft.layers,
    modules_to_save: null,
  }));
  const names = plan.added.map((s) => s.name);
  files.set('adapter_model.safetensors', writeSafeTensors(tensorsOf(names, shapes(plan), trained, (n) => PEFT_PREFIX + n), { format: 'pt' }));
}

function addLabAdapter(files: ExportFiles, plan: PeftPlan, trained: ReadonlyMap<string, Float32Array>, baseModel: string): void {
  files.set('lab_peft.json', json({ format: LAB_FORMAT, version: 1, base_model: baseModel, model: configToHf(plan.model), peft: plan.peft }));
  const names = plan.added.map((s) => s.name);
  files.set('lab_adapter.safetensors', writeSafeTensors(tensorsOf(names, shapes(plan), trained, (n) => n), { format: LAB_FORMAT }));
}

function addModelFolder(files: ExportFiles, plan: PeftPlan, trained: ReadonlyMap<string, Float32Array>, base: ReadonlyMap<string, Float32Array>): void {
  files.set('config.json', json(configToHf(plan.model)));
  const merged = new Map(base);
  for (const [k, v] of trained) if (merged.has(k)) merged.set(k, v);
  const names = plan.base.map((s) => s.name);
  files.set('model.safetensors', writeSafeTensors(tensorsOf(names, shapes(plan), merged, (n) => n), { format: 'pt' }));
}

export interface ImportedAdapter {
  readonly peft: PeftConfig;
  readonly tensors: Map<string, Float32Array>;
  readonly format: 'peft' | 'lab';
}

/**
 * Reads an exported adapter folder's files (by name): peft LoRA or the lab's format. Tensor names come back
 * in the lab's naming, ready for ModelWeights.load.
 */
export function importAdapter(files: ReadonlyMap<string, Uint8Array>, model: EncoderConfig): ImportedAdapter {
  const text = (name: string): unknown => JSON.parse(new TextDecoder().decode(files.get(name)!));
  if (files.has('adapter_config.json')) {
    const weights = files.get('adapter_model.safetensors');
    if (!weights) throw new Error('the adapter folder has adapter_config.json but no adapter_model.safetensors (adapter_model.bin is not supported: convert it to safetensors)');
    const peft = parsePeftConfig(text('adapter_config.json'), model);
    const tensors = new Map<string, Float32Array>();
    for (const [k, t] of readSafeTensors(weights, 'adapter_model.safetensors').tensors) {
      tensors.set(k.startsWith(PEFT_PREFIX) ? k.slice(PEFT_PREFIX.length).replace('.default.', '.') : k, t.data as Float32Array);
    }
    return { peft, tensors, format: 'peft' };
  }
  if (files.has('lab_peft.json')) {
    const meta = text('lab_peft.json') as { format?: string; peft?: unknown };
    if (meta.format !== LAB_FORMAT) throw new Error(`lab_peft.json has format "${String(meta.format)}", expected "${LAB_FORMAT}"`);
    const weights = files.get('lab_adapter.safetensors');
    if (!weights) throw new Error('the adapter folder has lab_peft.json but no lab_adapter.safetensors');
    const tensors = new Map<string, Float32Array>();
    for (const [k, t] of readSafeTensors(weights, 'lab_adapter.safetensors').tensors) tensors.set(k, t.data as Float32Array);
    return { peft: parsePeftConfig(meta.peft, model), tensors, format: 'lab' };
  }
  throw new Error('no adapter found: expected adapter_config.json (peft LoRA) or lab_peft.json (the lab\'s format)');
}
