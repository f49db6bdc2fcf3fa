/**
 * Reads an adapter folder's files (by name) into the lab: a peft LoRA or prefix-tuning adapter, or the lab's
 * own format (preferred when both are present: it is lossless for every method). Every tensor is checked
 * against the configuration's plan — name, shape and floating dtype — before anything is loaded, so a
 * mismatched file is refused with the tensors it got wrong instead of filling or overrunning a slot.
 */
import type { EncoderConfig } from '../model/config';
import { prefixShape } from '../peft/attach';
import { parsePeftConfig } from '../peft/parse';
import { planPeft } from '../peft/plan';
import type { PeftConfig } from '../peft/types';
import { LAB_FORMAT, PEFT_PREFIX, PROMPT_EMBEDDINGS, splitPromptEmbeddings } from './peft_format';
import { readSafeTensors, type SafeTensor } from './safetensors';

export interface ImportedAdapter {
  readonly peft: PeftConfig;
  readonly tensors: Map<string, Float32Array>;
  readonly format: 'peft' | 'lab';
  /** A classification run's head came with it (`classifier.*` among the tensors): its number of classes. */
  readonly classes: number | null;
}

/** The classes of a classification head among the tensors (out_proj's rows), or null. */
function headClasses(tensors: ReadonlyMap<string, SafeTensor>): number | null {
  const out = tensors.get('classifier.out_proj.weight');
  return out && out.shape.length === 2 ? out.shape[0]! : null;
}

export function importAdapter(files: ReadonlyMap<string, Uint8Array>, model: EncoderConfig): ImportedAdapter {
  const text = (name: string): unknown => JSON.parse(new TextDecoder().decode(files.get(name)!));
  if (files.has('lab_peft.json')) {
    const meta = text('lab_peft.json') as { format?: string; peft?: unknown };
    if (meta.format !== LAB_FORMAT) throw new Error(`lab_peft.json has format "${String(meta.format)}", expected "${LAB_FORMAT}"`);
    const weights = files.get('lab_adapter.safetensors');
    if (!weights) throw new Error('the adapter folder has lab_peft.json but no lab_adapter.safetensors');
    const peft = parsePeftConfig(meta.peft, model);
    const tensors = readSafeTensors(weights, 'lab_adapter.safetensors').tensors;
    const classes = headClasses(tensors);
    return { peft, tensors: checked(tensors, peft, model, 'lab_adapter.safetensors', classes), format: 'lab', classes };
  }
  if (files.has('adapter_config.json')) {
    const weights = files.get('adapter_model.safetensors');
    if (!weights) throw new Error('the adapter folder has adapter_config.json but no adapter_model.safetensors (adapter_model.bin is not supported: convert it to safetensors)');
    const peft = parsePeftConfig(text('adapter_config.json'), model);
    const raw = readSafeTensors(weights, 'adapter_model.safetensors').tensors;
    const renamed = new Map<string, SafeTensor>();
    // A SEQ_CLS adapter's encoder tensors sit under `roberta.` (RobertaForSequenceClassification), its head under `classifier.`.
    const labName = (k: string): string => (k.startsWith(PEFT_PREFIX) ? k.slice(PEFT_PREFIX.length).replace('.default.', '.').replace(/^roberta\./, '') : k);
    for (const [k, t] of raw) renamed.set(labName(k), t);
    const prefix = prefixShape(peft);
    const rows = renamed.get(PROMPT_EMBEDDINGS);
    if (prefix && rows) {
      const W = 2 * model.layers * model.hidden;
      if (rows.shape.length !== 2 || rows.shape[0] !== prefix.length || rows.shape[1] !== W) {
        throw new Error(`adapter_model.safetensors: prompt_embeddings has shape (${rows.shape.join(', ')}), the configuration needs (${prefix.length}, ${W})`);
      }
      renamed.delete(PROMPT_EMBEDDINGS);
      for (const [k, v] of splitPromptEmbeddings(model, prefix.length, floats(rows, PROMPT_EMBEDDINGS))) renamed.set(k, { dtype: 'F32', shape: [prefix.length, model.hidden], data: v });
    }
    const classes = headClasses(renamed);
    return { peft, tensors: checked(renamed, peft, model, 'adapter_model.safetensors', classes), format: 'peft', classes };
  }
  throw new Error("no adapter found: expected adapter_config.json (peft LoRA or prefix-tuning) or lab_peft.json (the lab's format)");
}

function floats(t: SafeTensor, name: string): Float32Array {
  if (!(t.data instanceof Float32Array)) throw new Error(`tensor "${name}" is ${t.dtype}; adapter weights must be F32, F16 or BF16`);
  return t.data;
}

function checked(tensors: ReadonlyMap<string, SafeTensor>, peft: PeftConfig, model: EncoderConfig, file: string, classes: number | null): Map<string, Float32Array> {
  const want = new Map(planPeft(model, peft, classes).added.map((s) => [s.name, s.shape]));
  const problems: string[] = [];
  const out = new Map<string, Float32Array>();
  for (const [name, t] of tensors) {
    const shape = want.get(name);
    if (!shape) problems.push(`unexpected tensor "${name}"`);
    else if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) problems.push(`"${name}" has shape (${t.shape.join(', ')}), the configuration needs (${shape.join(', ')})`);
    else if (!(t.data instanceof Float32Array)) problems.push(`"${name}" is ${t.dtype}, not a floating-point tensor`);
    else out.set(name, t.data);
  }
  const missing = [...want.keys()].filter((n) => !tensors.has(n));
  if (missing.length > 0) problems.push(`missing ${missing.length} tensor(s), e.g. "${missing[0]}"`);
  if (problems.length > 0) throw new Error(`${file} does not match its configuration: ${problems.slice(0, 4).join('; ')}${problems.length > 4 ? `; and ${problems.length - 4} more` : ''}`);
  return out;
}
