/**
 * Loads pretrained weights from a file's bytes, whatever the format (safetensors, PyTorch zip `.bin`, legacy
 * `.bin`; detected by magic, not by name), then maps them onto the encoder's parameter names. Every problem
 * with the mapping (missing, unexpected, mis-shaped tensors) is reported in one error, so a user sees at once
 * whether the checkpoint and config.json belong together.
 */
import type { EncoderConfig } from '../model/config';
import { baseParams, type ParamSpec } from '../model/params';
import { PickleError } from './pickle';
import { readSafeTensors, SafeTensorsError, type SafeDType } from './safetensors';
import { readTorchLegacy, readTorchZip, TorchFileError, type TorchDType } from './torch_bin';
import { isZip, ZipError } from './zip';

export type CheckpointDType = SafeDType | TorchDType;

export interface CheckpointTensor {
  readonly dtype: CheckpointDType;
  readonly shape: readonly number[];
  /** Floats widened to f32; integers as Int32. */
  readonly data: Float32Array | Int32Array;
}

export type CheckpointFormat = 'safetensors' | 'torch-zip' | 'torch-pickle';

export class CheckpointError extends Error {
  readonly problems: readonly string[];
  constructor(message: string, problems: readonly string[] = []) {
    super(problems.length > 0 ? `${message}\n  - ${problems.join('\n  - ')}` : message);
    this.name = 'CheckpointError';
    this.problems = problems;
  }
}

/** One ArrayBuffer: Node's readFile stops at 2 GiB and browsers may too. */
export const MAX_CHECKPOINT_BYTES = 2 ** 31 - 1;

/** Call before reading a file into memory: a clear message instead of an allocation failure. */
export function assertCheckpointSize(byteLength: number, fileName: string, limit = MAX_CHECKPOINT_BYTES): void {
  if (byteLength <= limit) return;
  const gb = (n: number): string => `${(n / 2 ** 30).toFixed(1)} GiB`;
  throw new CheckpointError(
    `${fileName} is ${gb(byteLength)}, more than the ${gb(limit)} this environment can read in one piece. The encoders the lab trains ` +
      '(RoBERTa/CodeBERT base) need about 0.5 GiB: this is probably a larger model, or a training checkpoint with optimizer state. ' +
      'Save only the weights (torch.save(model.state_dict(), path), or safetensors in float16).',
  );
}

const startsWith = (bytes: Uint8Array, text: string, at = 0): boolean => [...text].every((c, i) => bytes[at + i] === c.charCodeAt(0));

/** The format from the first bytes; an unreadable file gets a message saying what it looks like instead. */
export function detectFormat(bytes: Uint8Array, fileName: string): CheckpointFormat {
  const fail = (m: string): never => {
    throw new CheckpointError(`${fileName}: ${m}`);
  };
  if (bytes.byteLength === 0) fail('the file is empty');
  if (isZip(bytes)) return 'torch-zip';
  // A pickle (PROTO opcode): torch's legacy format, or a bare pickle, which the restricted reader refuses.
  if (bytes[0] === 0x80 && bytes.byteLength > 1 && bytes[1]! <= 5) return 'torch-pickle';
  // safetensors: a little-endian u64 header length (far below 2^40), then the JSON header's `{`.
  if (bytes.byteLength >= 9 && bytes[8] === 0x7b && bytes[5] === 0 && bytes[6] === 0 && bytes[7] === 0) return 'safetensors';
  if (startsWith(bytes, 'version https://git-lfs')) {
    fail('this is a Git LFS pointer, not the weights: download the real file (git lfs pull, or the "download" link on the model page)');
  }
  if (startsWith(bytes, '\x89HDF')) fail('this is an HDF5 file (TensorFlow/Keras weights); use the PyTorch (.bin) or safetensors weights');
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) fail('this file is gzip-compressed: decompress it first');
  if (startsWith(bytes, 'ustar', 257)) fail("this is PyTorch's old tar format (before 0.4): re-save it with a newer torch");
  if (startsWith(bytes, '<!DOCTYPE') || startsWith(bytes, '<html')) fail('this is a web page, not weights: the download link led to an HTML page');
  const head = [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return fail(`not a checkpoint the lab reads (expected safetensors, or a PyTorch .bin from torch.save); it starts with bytes ${head}`);
}

/** Every tensor in the file by its own name. Errors for bad files are CheckpointErrors that name the file. */
export function loadCheckpoint(bytes: Uint8Array, fileName: string): Map<string, CheckpointTensor> {
  const format = detectFormat(bytes, fileName);
  try {
    if (format === 'safetensors') return new Map(readSafeTensors(bytes, fileName).tensors);
    return format === 'torch-zip' ? readTorchZip(bytes, fileName) : readTorchLegacy(bytes, fileName);
  } catch (error) {
    if (error instanceof SafeTensorsError || error instanceof TorchFileError || error instanceof PickleError || error instanceof ZipError) {
      throw new CheckpointError(error.message);
    }
    if (error instanceof RangeError) {
      const size = `${(bytes.byteLength / 2 ** 20).toFixed(0)} MiB`;
      throw new CheckpointError(`${fileName}: ran out of memory decoding ${size} of weights (${error.message}); close other tabs or use a smaller model`);
    }
    throw error;
  }
}

export interface MappedWeights {
  /** The encoder's parameters by baseParams name, each with its spec's shape. */
  readonly weights: Map<string, Float32Array>;
  /** Names in the file that are heads or buffers the encoder does not use (lm_head.*, position_ids, ...). */
  readonly ignored: string[];
  /** A sequence-classification head's tensors (`classifier.dense.*`, `classifier.out_proj.*`) when the file has one. */
  readonly head: Map<string, Float32Array>;
}

/** Buffers Hugging Face registers in the embeddings; recomputed by the lab, so never loaded. */
const BUFFERS = new Set(['embeddings.position_ids', 'embeddings.token_type_ids']);
/** Task heads that sit beside the encoder in fine-tuned or pretraining checkpoints. */
const HEADS = ['lm_head.', 'classifier.', 'cls.', 'qa_outputs.', 'score.', 'pre_classifier.'];
const ANCHOR = 'embeddings.word_embeddings.weight';
const LIST_AT_MOST = 12;

/**
 * The encoder prefix: whatever precedes the word embeddings (`roberta.`, `bert.`, CodeXGLUE's `encoder.`,
 * DataParallel's `module.`...). Several candidates mean several encoders, which is reported.
 */
function encoderPrefix(names: readonly string[], problems: string[]): string {
  const anchors = names.filter((n) => n === ANCHOR || n.endsWith(`.${ANCHOR}`));
  if (anchors.length > 1) problems.push(`the file holds ${anchors.length} encoders (${anchors.join(', ')}); the lab loads one`);
  return anchors.length === 1 ? anchors[0]!.slice(0, -ANCHOR.length) : '';
}

/** The baseParams name a file name stands for: prefix stripped, old LayerNorm gamma/beta renamed. */
function localName(name: string, prefix: string): string {
  const local = name.startsWith(prefix) ? name.slice(prefix.length) : name;
  return local.replace(/LayerNorm\.gamma$/, 'LayerNorm.weight').replace(/LayerNorm\.beta$/, 'LayerNorm.bias');
}

const shapeText = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

function listed(label: string, items: readonly string[]): string {
  const shown = items.slice(0, LIST_AT_MOST).join(', ');
  return `${label}: ${shown}${items.length > LIST_AT_MOST ? `, and ${items.length - LIST_AT_MOST} more` : ''}`;
}

/** Maps a checkpoint's tensors onto baseParams(config); throws one CheckpointError listing every problem. */
function firstNonFinite(data: Float32Array): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) return i;
  return -1;
}

export interface MapOptions {
  /**
   * A trained folder may lack the pooler (RobertaForSequenceClassification has none): the base model's is used.
   * A base model must have it (code search embeds with it).
   */
  readonly poolerOptional?: boolean;
}

const CLASSIFIER_HEAD = /^classifier\.(dense|out_proj)\.(weight|bias)$/;

export function mapToModel(tensors: ReadonlyMap<string, CheckpointTensor>, config: EncoderConfig, what = 'the checkpoint', options: MapOptions = {}): MappedWeights {
  const specs = new Map<string, ParamSpec>(baseParams(config).map((s) => [s.name, s]));
  const problems: string[] = [];
  const prefix = encoderPrefix([...tensors.keys()], problems);
  const weights = new Map<string, Float32Array>();
  const from = new Map<string, string>();
  const ignored: string[] = [];
  const unexpected: string[] = [];
  const head = new Map<string, Float32Array>();
  for (const [name, t] of tensors) {
    const local = localName(name, prefix);
    const spec = specs.get(local);
    if (spec === undefined && CLASSIFIER_HEAD.test(name) && t.data instanceof Float32Array && firstNonFinite(t.data) < 0) {
      head.set(name, t.data);
      continue;
    }
    if (spec === undefined) {
      if ((name.startsWith(prefix) && BUFFERS.has(local)) || HEADS.some((h) => name.startsWith(h) || local.startsWith(h))) ignored.push(name);
      else unexpected.push(name);
      continue;
    }
    if (from.has(local)) problems.push(`${name} and ${from.get(local)!} both map to ${local}`);
    else if (!(t.data instanceof Float32Array)) problems.push(`${name} has dtype ${t.dtype}; weights must be floating point`);
    else if (shapeText(t.shape) !== shapeText(spec.shape)) problems.push(`${name} has shape ${shapeText(t.shape)} but the model needs ${shapeText(spec.shape)}`);
    else if (firstNonFinite(t.data) >= 0) problems.push(`${name}[${firstNonFinite(t.data)}] is ${t.data[firstNonFinite(t.data)]}: the weights are damaged (NaN or infinite values give NaN embeddings)`);
    else weights.set(local, t.data);
    from.set(local, name);
  }
  // Only a whole head (dense and out_proj, weights and biases) is one; parts of one are ignored like other heads.
  if (head.size < 4) {
    ignored.push(...head.keys());
    head.clear();
  }
  const poolerless = options.poolerOptional === true && !from.has('pooler.dense.weight') && !from.has('pooler.dense.bias');
  const missing = [...specs.keys()].filter((n) => !from.has(n) && !(poolerless && n.startsWith('pooler.')));
  if (missing.length > 0) problems.push(listed(`missing ${missing.length} tensor(s)`, missing.map((n) => prefix + n)));
  if (unexpected.length > 0) problems.push(listed(`unexpected ${unexpected.length} tensor(s) the encoder does not have`, unexpected));
  if (missing.some((n) => n.startsWith('pooler.'))) {
    problems.push('there is no pooler (pooler.dense.*): code search embeds with the pooler output, so use a checkpoint saved with it (RobertaModel, not RobertaForMaskedLM)');
  }
  if (problems.length > 0) {
    const c = config;
    throw new CheckpointError(
      `${what} does not fit the model config (vocab ${c.vocabSize}, hidden ${c.hidden}, ${c.layers} layers, intermediate ${c.intermediate}, ` +
        `${c.maxPositions} positions, ${c.typeVocabSize} token types): check that config.json belongs to these weights`,
      problems,
    );
  }
  return { weights, ignored, head };
}
