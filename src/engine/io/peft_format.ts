/**
 * Hugging Face peft's adapter folders (`adapter_config.json` + `adapter_model.safetensors`) for the two methods
 * the lab shares with peft, both ways:
 *  - LoRA: keys `base_model.model.<module>.lora_A.weight` (r, in) / `lora_B.weight` (out, r).
 *  - prefix-tuning: one tensor `prompt_embeddings` (P, 2·L·C); layer l's keys are columns [2l·C, (2l+1)·C),
 *    its values the next C. With the MLP (prefix_projection) peft saves the MLP's output rows, so an export runs
 *    the MLP once here and an import gets a plain prefix that computes the same keys and values.
 */
import type { EncoderConfig } from '../model/config';
import type { Ia3Config } from '../peft/ia3';
import { matchesTarget, targetedSites } from '../peft/lora';
import { methodLayers, type PeftPlan } from '../peft/plan';
import type { MethodConfig, MethodType } from '../peft/registry';
import type { LoraConfig, PrefixConfig } from '../peft/types';
import { writeSafeTensors, type TensorToWrite } from './safetensors';

export const PEFT_PREFIX = 'base_model.model.';
export const LAB_FORMAT = 'webgpu-finetuning-lab/peft';
export const PROMPT_EMBEDDINGS = 'prompt_embeddings';

export function json(value: unknown): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
}

/** The tensor an export needs, or a clear error naming it. */
export function tensorFor(values: ReadonlyMap<string, Float32Array>, name: string): Float32Array {
  const v = values.get(name);
  if (!v) throw new Error(`export: no value for "${name}"`);
  return v;
}

/**
 * A parameter's key in a peft file: `base_model.model.` + its module path in the model peft wrapped — RobertaModel
 * for code search, RobertaForSequenceClassification (encoder under `roberta.`, head `classifier.`) for classification.
 */
export function peftKey(plan: PeftPlan, name: string): string {
  return PEFT_PREFIX + hfName(plan, name);
}

/** The parameter's name in the Hugging Face model a run exports to (RobertaForSequenceClassification nests the encoder). */
export function hfName(plan: PeftPlan, name: string): string {
  return plan.classes === null || name.startsWith('classifier.') ? name : `roberta.${name}`;
}

/** peft's task fields: a classification head is saved whole, as peft's modules_to_save does for SEQ_CLS. */
function taskFields(plan: PeftPlan, otherwise: string | null): { task_type: string | null; modules_to_save: string[] | null } {
  return plan.classes === null ? { task_type: otherwise, modules_to_save: null } : { task_type: 'SEQ_CLS', modules_to_save: ['classifier'] };
}

const isRegexTargets = (t: readonly string[]): boolean => t.length === 1 && /[\\^$*+?()[\]{}|]/.test(t[0]!);

export function peftLoraFiles(plan: PeftPlan, lora: LoraConfig, trained: ReadonlyMap<string, Float32Array>, baseModel: string): Map<string, Uint8Array> {
  const config = {
    peft_type: 'LORA',
    base_model_name_or_path: baseModel,
    r: lora.r,
    lora_alpha: lora.alpha,
    lora_dropout: lora.dropout,
    // A lone regex-like name is a regex to the lab but a module name to peft: give peft the matched modules.
    target_modules: isRegexTargets(lora.targets) ? targetedSites(lora, plan.model, methodLayers(lora, plan.peft, plan.model)).map((s) => hfName(plan, s.path)) : lora.targets,
    use_rslora: lora.rslora,
    rank_pattern: lora.rankPattern ?? {},
    alpha_pattern: lora.alphaPattern ?? {},
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    layers_to_transform: isRegexTargets(lora.targets) ? null : (lora.layers ?? plan.peft.layers),
    ...taskFields(plan, null),
  };
  const tensors: TensorToWrite[] = plan.added.map((s) => ({ name: peftKey(plan, s.name), shape: s.shape, data: tensorFor(trained, s.name) }));
  return new Map([
    ['adapter_config.json', json(config)],
    ['adapter_model.safetensors', writeSafeTensors(tensors, { format: 'pt' })],
  ]);
}

/**
 * peft's IA3 folder: the targeted (and feed-forward) modules as full paths, so peft selects exactly the lab's
 * sites; tensors `base_model.model.<module>.ia3_l`, (1, in) for a scaled input and (out, 1) for a scaled output.
 */
export function peftIa3Files(plan: PeftPlan, m: Ia3Config, trained: ReadonlyMap<string, Float32Array>, baseModel: string): Map<string, Uint8Array> {
  const modules = plan.added.filter((s) => s.module === 'ia3').map((s) => s.name.replace(/\.ia3_l$/, ''));
  const config = {
    peft_type: 'IA3',
    base_model_name_or_path: baseModel,
    target_modules: modules.map((path) => hfName(plan, path)),
    feedforward_modules: modules.filter((path) => matchesTarget(m.feedforward, path)).map((path) => hfName(plan, path)),
    init_ia3_weights: true,
    fan_in_fan_out: false,
    inference_mode: true,
    ...taskFields(plan, null),
  };
  const tensors: TensorToWrite[] = plan.added.map((s) => ({ name: peftKey(plan, s.name), shape: s.shape, data: tensorFor(trained, s.name) }));
  return new Map([
    ['adapter_config.json', json(config)],
    ['adapter_model.safetensors', writeSafeTensors(tensors, { format: 'pt' })],
  ]);
}

export function peftPrefixFiles(plan: PeftPlan, p: PrefixConfig, trained: ReadonlyMap<string, Float32Array>, baseModel: string): Map<string, Uint8Array> {
  const model = plan.model;
  const config = {
    peft_type: 'PREFIX_TUNING',
    ...taskFields(plan, 'FEATURE_EXTRACTION'),
    base_model_name_or_path: baseModel,
    num_virtual_tokens: p.length,
    num_layers: model.layers,
    token_dim: model.hidden,
    num_attention_heads: model.heads,
    num_transformer_submodules: 1,
    encoder_hidden_size: p.projection?.hidden ?? model.hidden,
    prefix_projection: p.projection !== null,
    inference_mode: true,
  };
  const rows = prefixRows(model, p, trained);
  const tensor = { name: PROMPT_EMBEDDINGS, shape: [p.length, 2 * model.layers * model.hidden], data: rows };
  const head = plan.added.filter((s) => s.module === 'classifier').map((s) => ({ name: peftKey(plan, s.name), shape: s.shape, data: tensorFor(trained, s.name) }));
  return new Map([
    ['adapter_config.json', json(config)],
    ['adapter_model.safetensors', writeSafeTensors([tensor, ...head], { format: 'pt' })],
  ]);
}

/** The (P, 2·L·C) key/value rows peft stores: the plain prefix's tensors side by side, or the MLP's output. */
export function prefixRows(model: EncoderConfig, p: PrefixConfig, trained: ReadonlyMap<string, Float32Array>): Float32Array {
  const C = model.hidden;
  const W = 2 * model.layers * C;
  if (p.projection) return prefixMlp(p.length, C, p.projection.hidden, W, trained);
  const out = new Float32Array(p.length * W);
  for (let l = 0; l < model.layers; l++) {
    const k = tensorFor(trained, `prefix.layer.${l}.key`);
    const v = tensorFor(trained, `prefix.layer.${l}.value`);
    for (let r = 0; r < p.length; r++) {
      out.set(k.subarray(r * C, (r + 1) * C), r * W + 2 * l * C);
      out.set(v.subarray(r * C, (r + 1) * C), r * W + (2 * l + 1) * C);
    }
  }
  return out;
}

/** embedding (P, C) → Linear(C, h) → tanh → Linear(h, W), in float64 then rounded (an export, not a hot path). */
function prefixMlp(P: number, C: number, h: number, W: number, t: ReadonlyMap<string, Float32Array>): Float32Array {
  const e = tensorFor(t, 'prefix.embedding.weight');
  const w0 = tensorFor(t, 'prefix.mlp.0.weight');
  const b0 = tensorFor(t, 'prefix.mlp.0.bias');
  const w2 = tensorFor(t, 'prefix.mlp.2.weight');
  const b2 = tensorFor(t, 'prefix.mlp.2.bias');
  const out = new Float32Array(P * W);
  const hid = new Float64Array(h);
  for (let r = 0; r < P; r++) {
    for (let j = 0; j < h; j++) {
      let s = b0[j]!;
      for (let c = 0; c < C; c++) s += w0[j * C + c]! * e[r * C + c]!;
      hid[j] = Math.tanh(s);
    }
    for (let o = 0; o < W; o++) {
      let s = b2[o]!;
      for (let j = 0; j < h; j++) s += w2[o * h + j]! * hid[j]!;
      out[r * W + o] = s;
    }
  }
  return out;
}

/** peft's `prompt_embeddings` (P, 2·L·C) → the lab's plain-prefix tensors. */
export function splitPromptEmbeddings(model: EncoderConfig, P: number, rows: Float32Array): Map<string, Float32Array> {
  const C = model.hidden;
  const W = 2 * model.layers * C;
  const out = new Map<string, Float32Array>();
  for (let l = 0; l < model.layers; l++) {
    const k = new Float32Array(P * C);
    const v = new Float32Array(P * C);
    for (let r = 0; r < P; r++) {
      k.set(rows.subarray(r * W + 2 * l * C, r * W + (2 * l + 1) * C), r * C);
      v.set(rows.subarray(r * W + (2 * l + 1) * C, r * W + (2 * l + 2) * C), r * C);
    }
    out.set(`prefix.layer.${l}.key`, k);
    out.set(`prefix.layer.${l}.value`, v);
  }
  return out;
}

/** Files in peft's format, and whether they hold everything (else the lab's format is written beside them). */
export interface PeftFiles {
  readonly files: Map<string, Uint8Array>;
  readonly complete: boolean;
}

type PeftWriter<C extends MethodConfig> = (plan: PeftPlan, method: C, trained: ReadonlyMap<string, Float32Array>, baseModel: string) => PeftFiles | undefined;

/**
 * The methods peft can load, by type. A prefix restricted to some layers has no peft form; peft keeps the
 * prefix MLP's output rather than the MLP, so the lab's format goes beside it (training can resume).
 */
const WRITERS: { readonly [T in MethodType]?: PeftWriter<Extract<MethodConfig, { type: T }>> } = {
  lora: (plan, m, trained, base) => ({ files: peftLoraFiles(plan, m, trained, base), complete: true }),
  ia3: (plan, m, trained, base) => ({ files: peftIa3Files(plan, m, trained, base), complete: true }),
  prefix: (plan, p, trained, base) => (p.layers || plan.peft.layers ? undefined : { files: peftPrefixFiles(plan, p, trained, base), complete: false }),
};

/** peft's files for a run of one method, when peft has that method. */
export function peftFilesFor(plan: PeftPlan, method: MethodConfig, trained: ReadonlyMap<string, Float32Array>, baseModel: string): PeftFiles | undefined {
  const writer = WRITERS[method.type] as PeftWriter<MethodConfig> | undefined;
  return writer?.(plan, method, trained, baseModel);
}
