/**
 * Trained weights as files (name → bytes), the same for the CLI (written to a folder) and the UI (downloads):
 *  - LoRA alone: a peft LoRA adapter; prefix-tuning alone: a peft prefix-tuning adapter plus the lab's format
 *    (peft keeps the MLP's output, the lab's format the MLP itself, so training can resume);
 *  - any other added modules (adapters, combinations): the lab's format, `lab_peft.json` +
 *    `lab_adapter.safetensors` with the parameter names of docs/PEFT_CONFIG.md;
 *  - base weights that trained (full, Telly, BitFit, LayerNorm-only, LWO): a Hugging Face model folder,
 *    `config.json` (the original's keys, kept) + `model.safetensors` with every base weight.
 * A classification run's head goes with the weights as RobertaForSequenceClassification has it: in peft's folders
 * as modules_to_save (task SEQ_CLS), in a model folder as `classifier.*` beside `roberta.*` with the class names.
 * `exportMerged` folds LoRA into the base weights (peft's merge_and_unload) and `exportSentenceTransformers`
 * wraps a model folder so `SentenceTransformer(path).encode` gives the run's embeddings.
 */
import { configToHf } from '../model/config';
import type { Pooling } from '../model/head';
import { LINEAR_SITES, linearPath, linearShape } from '../model/params';
import { channelScaleAt, lowRankAt } from '../peft/attach';
import type { PeftPlan } from '../peft/plan';
import { moduleFor } from '../peft/registry';
import { hfName, json, LAB_FORMAT, peftFilesFor, tensorFor } from './peft_format';
import { writeSafeTensors } from './safetensors';

export type ExportFiles = Map<string, Uint8Array>;
export { importAdapter, type ImportedAdapter } from './import_adapter';
export { LAB_FORMAT } from './peft_format';

export interface ExportInput {
  readonly plan: PeftPlan;
  /** Trainable tensors by name (the run's final or best weights). */
  readonly trained: ReadonlyMap<string, Float32Array>;
  /** The base weights the run started from (frozen ones are exported unchanged). */
  readonly base: ReadonlyMap<string, Float32Array>;
  readonly baseModel: string;
  /** The base model's config.json, written back with every key it had (dropouts, initializer_range, ...). */
  readonly hfConfig?: Readonly<Record<string, unknown>>;
  /** A classification run's class names, in class order (id2label). */
  readonly classNames?: readonly string[];
}

export function exportTrained(input: ExportInput): ExportFiles {
  const { plan, trained } = input;
  if (plan.classes !== null && input.classNames?.length !== plan.classes) throw new Error(`export: a classification run needs its ${plan.classes} class names`);
  const files: ExportFiles = new Map();
  const only = plan.peft.methods.length === 1 ? plan.peft.methods[0]! : null;
  const trainsBase = plan.trainable.some((s) => s.module === 'base');
  // A head alone beside trained base weights lives in the model folder (RobertaForSequenceClassification's own).
  if (plan.added.some((s) => s.module !== 'classifier' || !trainsBase)) {
    // A lone method peft has too gets peft's folder; the lab's own format keeps what peft's cannot hold.
    const peft = only ? peftFilesFor(plan, only, trained, input.baseModel) : undefined;
    if (peft) add(files, peft.files);
    if (!peft?.complete) addLabAdapter(files, input);
  }
  if (trainsBase) add(files, modelFolder(input, withTrained(input)));
  return files;
}

function add(files: ExportFiles, more: ReadonlyMap<string, Uint8Array>): void {
  for (const [k, v] of more) files.set(k, v);
}

function addLabAdapter(files: ExportFiles, input: ExportInput): void {
  const { plan, trained } = input;
  const task = plan.classes === null ? {} : { task: { kind: 'classification', classes: input.classNames } };
  files.set('lab_peft.json', json({ format: LAB_FORMAT, version: 1, base_model: input.baseModel, model: configToHf(plan.model), peft: plan.peft, ...task }));
  const tensors = plan.added.map((s) => ({ name: s.name, shape: s.shape, data: tensorFor(trained, s.name) }));
  files.set('lab_adapter.safetensors', writeSafeTensors(tensors, { format: LAB_FORMAT }));
}

/** The base weights with the trained ones swapped in. */
function withTrained(input: ExportInput): Map<string, Float32Array> {
  const merged = new Map(input.base);
  for (const [k, v] of input.trained) if (merged.has(k) || k.startsWith('classifier.')) merged.set(k, v);
  return merged;
}

function modelFolder(input: ExportInput, weights: ReadonlyMap<string, Float32Array>): ExportFiles {
  const { plan } = input;
  const config: Record<string, unknown> = { ...(input.hfConfig ?? {}), ...configToHf(plan.model) };
  if (input.hfConfig?.architectures) config.architectures = input.hfConfig.architectures;
  // RobertaForSequenceClassification has no pooler: its weights would be "unexpected keys" there.
  const specs = plan.classes === null ? plan.base : [...plan.base.filter((s) => s.location.kind !== 'pooler'), ...plan.added.filter((s) => s.module === 'classifier')];
  if (plan.classes !== null) Object.assign(config, classificationConfig(input.classNames!));
  const tensors = specs.map((s) => ({ name: hfName(plan, s.name), shape: s.shape, data: tensorFor(weights, s.name) }));
  return new Map([
    ['config.json', json(config)],
    ['model.safetensors', writeSafeTensors(tensors, { format: 'pt' })],
  ]);
}

/** config.json's keys for RobertaForSequenceClassification with these classes (AutoModelForSequenceClassification reads them). */
function classificationConfig(names: readonly string[]): Record<string, unknown> {
  return {
    architectures: ['RobertaForSequenceClassification'],
    id2label: Object.fromEntries(names.map((n, i) => [String(i), n])),
    label2id: Object.fromEntries(names.map((n, i) => [n, i])),
    problem_type: 'single_label_classification',
  };
}

/**
 * A plain Hugging Face model folder with LoRA folded in (W ← W + scale · B·A, as peft's merge_and_unload) and
 * trained base weights swapped in. Adapters and prefixes change the architecture, so they cannot be merged.
 */
export function exportMerged(input: ExportInput): ExportFiles {
  const unmergeable = input.plan.peft.methods.filter((m) => !moduleFor(m).mergeable).map((m) => m.type);
  if (unmergeable.length > 0) throw new Error(`a run with ${unmergeable.join(' and ')} cannot be merged into a plain model (they add layers RobertaModel has not); export the adapter instead`);
  const weights = withTrained(input);
  const { model, peft } = input.plan;
  for (let layer = 0; layer < model.layers; layer++) {
    for (const site of LINEAR_SITES) {
      const path = linearPath(layer, site);
      const [out, inDim] = linearShape(model, site);
      const a = input.trained.get(`${path}.lora_A.weight`);
      const branch = a ? lowRankAt(peft, path) : null;
      if (a && branch) {
        const b = tensorFor(input.trained, `${path}.lora_B.weight`);
        const w = Float32Array.from(tensorFor(weights, `${path}.weight`));
        weights.set(`${path}.weight`, foldLora(w, a, b, branch.scale, { out, inDim, r: branch.rank }));
      }
      const scale = input.trained.get(`${path}.ia3_l`);
      const side = scale ? channelScaleAt(peft, path) : null;
      if (scale && side) foldChannelScale(weights, path, scale, side, { out, inDim });
    }
  }
  return modelFolder(input, weights);
}

/** W (out, in) + scale · B (out, r) · A (r, in), accumulated in float64. */
function foldLora(w: Float32Array, a: Float32Array, b: Float32Array, scale: number, d: { out: number; inDim: number; r: number }): Float32Array {
  const { out, inDim, r } = d;
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < inDim; i++) {
      let s = 0;
      for (let k = 0; k < r; k++) s += b[o * r + k]! * a[k * inDim + i]!;
      w[o * inDim + i] = w[o * inDim + i]! + scale * s;
    }
  }
  return w;
}

/**
 * (IA)³ folded as peft's merge: a scaled input multiplies W's columns (W ← W·diag(l)); a scaled output
 * multiplies W's rows and the bias (W ← diag(l)·W, b ← l ⊙ b).
 */
function foldChannelScale(weights: Map<string, Float32Array>, path: string, l: Float32Array, side: 'input' | 'output', d: { out: number; inDim: number }): void {
  const w = Float32Array.from(tensorFor(weights, `${path}.weight`));
  for (let o = 0; o < d.out; o++) for (let i = 0; i < d.inDim; i++) w[o * d.inDim + i] = w[o * d.inDim + i]! * l[side === 'input' ? i : o]!;
  weights.set(`${path}.weight`, w);
  if (side === 'output') weights.set(`${path}.bias`, tensorFor(weights, `${path}.bias`).map((b, o) => b * l[o]!));
}

export interface SentenceTransformersHead {
  readonly pooling: Pooling;
  readonly normalize: boolean;
  readonly maxSeqLength: number;
}

/**
 * A sentence-transformers folder: the merged model at the root, then Pooling (CLS or mean), for CodeBERT's
 * pooler a Dense module (C → C, tanh) holding the pooler's weights, and Normalize when the run L2-normalizes.
 */
export function exportSentenceTransformers(input: ExportInput, head: SentenceTransformersHead): ExportFiles {
  const files = exportMerged(input);
  const C = input.plan.model.hidden;
  const weights = withTrained(input);
  const modules: { idx: number; name: string; path: string; type: string }[] = [{ idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' }];
  const push = (dir: string, type: string): void => void modules.push({ idx: modules.length, name: String(modules.length), path: `${modules.length}_${dir}`, type: `sentence_transformers.models.${type}` });
  push('Pooling', 'Pooling');
  files.set('1_Pooling/config.json', json({ embedding_dimension: C, pooling_mode: head.pooling === 'mean' ? 'mean' : 'cls', include_prompt: true }));
  if (head.pooling === 'pooler') {
    push('Dense', 'Dense');
    files.set('2_Dense/config.json', json({ in_features: C, out_features: C, bias: true, activation_function: 'torch.nn.modules.activation.Tanh' }));
    files.set('2_Dense/model.safetensors', writeSafeTensors([
      { name: 'linear.weight', shape: [C, C], data: tensorFor(weights, 'pooler.dense.weight') },
      { name: 'linear.bias', shape: [C], data: tensorFor(weights, 'pooler.dense.bias') },
    ], { format: 'pt' }));
  }
  if (head.normalize) push('Normalize', 'Normalize');
  files.set('modules.json', json(modules));
  files.set('sentence_bert_config.json', json({ max_seq_length: head.maxSeqLength, do_lower_case: false }));
  return files;
}
