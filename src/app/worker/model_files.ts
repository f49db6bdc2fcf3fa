/**
 * A model for the lab from its files: config.json, the tokenizer (vocab.json + merges.txt, or tokenizer.json)
 * and the weights (model.safetensors or pytorch_model.bin, read by the engine's checkpoint loader, which
 * never executes anything from the file). The demo model is the same files fetched from public/demo/model/.
 */
import { decodeMasks, MASKS_FILE } from '../../engine/prune/masks_file';
import { sparsity } from '../../engine/prune/select';
import { assertCheckpointSize, loadCheckpoint, mapToModel } from '../../engine/io/checkpoint';
import { tokenizerFromJson, tokenizerFromVocabMerges, tokenizerMismatch, type CodeSearchTokenizer } from '../../engine/io/tokenizer';
import { configFromHf, type EncoderConfig } from '../../engine/model/config';
import { DEMO_MODEL_NAME, type ModelInfo } from './protocol';

export interface LoadedModel {
  readonly info: ModelInfo;
  readonly config: EncoderConfig;
  readonly weights: Map<string, Float32Array>;
  readonly tokenizer: CodeSearchTokenizer;
  /** config.json as given: exports write it back with every key. */
  readonly hfConfig: Readonly<Record<string, unknown>>;
  /** The tokenizer files as given, so an exported model folder loads on its own. */
  readonly tokenizerFiles: ReadonlyMap<string, Uint8Array>;
  /** A pruned model's masks (pruning_masks.safetensors beside the weights): training keeps its zeros. */
  readonly masks: Map<string, Uint8Array> | null;
}

const TOKENIZER_FILES = ['vocab.json', 'merges.txt', 'tokenizer.json'];

/** A problem with the files the user gave: the message says what is missing or wrong and what to do. */
export class ModelFilesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFilesError';
  }
}

interface NamedBytes {
  readonly name: string;
  read(): Promise<Uint8Array>;
  readonly size: number;
}

const WEIGHT_FILES = ['model.safetensors', 'pytorch_model.bin'];

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ModelFilesError(`${file} is not valid JSON (${error instanceof Error ? error.message : String(error)}). Download it again.`);
  }
}

async function text(file: NamedBytes): Promise<string> {
  return new TextDecoder().decode(await file.read());
}

async function readTokenizer(byName: ReadonlyMap<string, NamedBytes>): Promise<CodeSearchTokenizer> {
  const vocab = byName.get('vocab.json');
  const merges = byName.get('merges.txt');
  try {
    if (vocab && merges) {
      const v = parseJson(await text(vocab), 'vocab.json');
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ModelFilesError('vocab.json must be a JSON object of token → id.');
      return tokenizerFromVocabMerges(v as Record<string, number>, (await text(merges)).split('\n'));
    }
    const tj = byName.get('tokenizer.json');
    if (tj) return tokenizerFromJson(parseJson(await text(tj), 'tokenizer.json'));
  } catch (error) {
    if (error instanceof ModelFilesError) throw error;
    throw new ModelFilesError(`The tokenizer files could not be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  throw new ModelFilesError('The tokenizer is missing: add vocab.json and merges.txt (or tokenizer.json) from the model folder.');
}

function missingMessage(names: readonly string[], missing: readonly string[]): string {
  const got = names.length > 0 ? names.join(', ') : 'no files';
  return `The model folder is incomplete: ${missing.join(' and ')} missing (got ${got}). A model folder has config.json, vocab.json, merges.txt and model.safetensors or pytorch_model.bin — drop all of them together, or pick the folder.`;
}

/** How the model got here, which decides its name: the demo, the Hub id, or the folder's (or its config's). */
type Origin = 'demo' | 'hub' | 'files';

async function load(name: string, files: readonly NamedBytes[], origin: Origin): Promise<LoadedModel> {
  const demo = origin === 'demo';
  const byName = new Map(files.map((f) => [f.name, f]));
  const weightFile = WEIGHT_FILES.map((n) => byName.get(n)).find((f) => f !== undefined);
  const missing = [
    ...(byName.has('config.json') ? [] : ['config.json is']),
    ...(weightFile ? [] : ['the weights (model.safetensors or pytorch_model.bin) are']),
  ];
  if (missing.length > 0) throw new ModelFilesError(missingMessage(files.map((f) => f.name), missing));
  const hf = parseJson(await text(byName.get('config.json')!), 'config.json');
  let config: EncoderConfig;
  try {
    config = configFromHf(hf);
  } catch (error) {
    throw new ModelFilesError(error instanceof Error ? error.message : String(error));
  }
  const tokenizer = await readTokenizer(byName);
  const mismatch = tokenizerMismatch(tokenizer, config);
  if (mismatch) throw new ModelFilesError(`${mismatch}. Drop the whole model folder.`);
  assertCheckpointSize(weightFile!.size, weightFile!.name);
  const mapped = mapToModel(loadCheckpoint(await weightFile!.read(), weightFile!.name), config, weightFile!.name);
  const masks = await readMasks(byName.get(MASKS_FILE), weightFile!.size, mapped.weights);
  const pathName = (hf as { _name_or_path?: unknown })._name_or_path;
  const info: ModelInfo = {
    name: origin === 'files' && typeof pathName === 'string' && pathName.length > 0 ? pathName : name,
    config,
    demo,
    files: files.map((f) => f.name),
    ignored: mapped.ignored.length,
    ...(masks ? { sparsity: sparsity([...masks].map(([n, mask]) => ({ values: mapped.weights.get(n)!, mask }))) } : {}),
  };
  const tokenizerFiles = new Map<string, Uint8Array>();
  for (const n of TOKENIZER_FILES) {
    const f = byName.get(n);
    if (f) tokenizerFiles.set(n, await f.read());
  }
  return { info, config, weights: mapped.weights, tokenizer, hfConfig: hf as Record<string, unknown>, tokenizerFiles, masks };
}

/** The folder's pruning masks, checked against its weights (a masks file is smaller than the weights it masks). */
async function readMasks(file: NamedBytes | undefined, weightBytes: number, weights: ReadonlyMap<string, Float32Array>): Promise<Map<string, Uint8Array> | null> {
  if (!file) return null;
  if (file.size > weightBytes) throw new ModelFilesError(`${MASKS_FILE} is ${file.size.toLocaleString('en-US')} bytes, larger than the weights it would mask: it is not this model's. Remove it to use the model unpruned.`);
  try {
    return decodeMasks(await file.read(), MASKS_FILE, weights);
  } catch (error) {
    throw new ModelFilesError(`${error instanceof Error ? error.message : String(error)}. Make the masks again (lab prune), or leave the file out to use the model unpruned.`);
  }
}

export async function loadDemoModel(baseUrl: string): Promise<LoadedModel> {
  const names = ['config.json', 'vocab.json', 'merges.txt', 'model.safetensors'];
  const files = await Promise.all(
    names.map(async (name): Promise<NamedBytes> => {
      const url = new URL(`model/${name}`, baseUrl);
      const response = await fetch(url);
      if (!response.ok) throw new ModelFilesError(`The demo model's ${name} could not be fetched (${response.status} from ${url.pathname}): reload the page.`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      return { name, size: bytes.byteLength, read: async () => bytes };
    }),
  );
  return load(DEMO_MODEL_NAME, files, 'demo');
}

/**
 * Dropped or picked files: only the base name counts (a picked folder's files carry their relative path).
 * `hubId` names a model downloaded from the Hub (the same files, by the id the user asked for).
 */
export async function loadModelFiles(files: readonly File[], hubId?: string): Promise<LoadedModel> {
  const folder = files.map((f) => f.webkitRelativePath.split('/')[0]).find((p) => p && p.length > 0);
  const named = files.map((f): NamedBytes => ({ name: f.name, size: f.size, read: async () => new Uint8Array(await f.arrayBuffer()) }));
  return hubId === undefined ? load(folder ?? 'local model', named, 'files') : load(hubId, named, 'hub');
}
