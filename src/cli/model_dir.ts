/**
 * A Hugging Face-style model folder: config.json, vocab.json + merges.txt (or tokenizer.json), and the weights
 * (model.safetensors, else pytorch_model.bin through the safe checkpoint reader).
 */
import { copyFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { configFromHf, PRESETS, type EncoderConfig } from '../engine/model/config';
import { tokenizerFromJson, tokenizerFromVocabMerges, tokenizerMismatch, type CodeSearchTokenizer } from '../engine/io/tokenizer';
import { assertCheckpointSize, loadCheckpoint, mapToModel } from '../engine/io/checkpoint';
import { CliError } from './errors';

export interface ModelDir {
  readonly dir: string;
  readonly config: EncoderConfig;
  /** The name exports record as their base model (config's _name_or_path, else the folder). */
  readonly name: string;
  /** config.json as it is (exports write it back with every key); null for a preset name. */
  readonly hfConfig: Readonly<Record<string, unknown>> | null;
}

export interface LoadedModel extends ModelDir {
  readonly tokenizer: CodeSearchTokenizer;
  readonly weights: Map<string, Float32Array>;
  readonly weightsFile: string;
  /** Tensors in the checkpoint the encoder does not use (e.g. lm_head.*). */
  readonly ignored: readonly string[];
}

const WEIGHT_FILES = ['model.safetensors', 'pytorch_model.bin'] as const;
export const TOKENIZER_FILES = ['vocab.json', 'merges.txt', 'tokenizer.json'] as const;

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    throw new CliError(`${path} is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** The model's config from a folder, or from a preset name (e.g. microsoft/codebert-base) for `params`. */
export function readModelConfig(dirOrName: string): ModelDir {
  const configPath = join(dirOrName, 'config.json');
  if (existsSync(configPath)) {
    const json = readJson(configPath);
    try {
      const name = (json as { _name_or_path?: unknown })._name_or_path;
      return { dir: dirOrName, config: configFromHf(json), name: typeof name === 'string' && name ? name : basename(dirOrName), hfConfig: json as Record<string, unknown> };
    } catch (error) {
      // One line, as every CLI error: the list of problems joined.
      throw new CliError(`${configPath}: ${(error instanceof Error ? error.message : String(error)).replace(/\n\s*/g, ' ')}`);
    }
  }
  if (Object.hasOwn(PRESETS, dirOrName)) return { dir: dirOrName, config: PRESETS[dirOrName as keyof typeof PRESETS], name: dirOrName, hfConfig: null };
  const hint = existsSync(dirOrName) ? `${dirOrName} has no config.json` : `${dirOrName} does not exist`;
  throw new CliError(`${hint}: give a model folder (config.json, vocab.json, merges.txt, model.safetensors) or one of ${Object.keys(PRESETS).join(', ')}`);
}

export function loadModelDir(dir: string): LoadedModel {
  const base = readModelConfig(dir);
  if (!existsSync(join(dir, 'config.json'))) throw new CliError(`${dir} is not a model folder: it has no config.json`);
  const tokenizer = loadTokenizer(dir);
  const mismatch = tokenizerMismatch(tokenizer, base.config);
  if (mismatch) throw new CliError(`${dir}: ${mismatch}`);
  const file = WEIGHT_FILES.find((f) => existsSync(join(dir, f)));
  if (!file) throw new CliError(`${dir} has no weights: expected ${WEIGHT_FILES.join(' or ')}`);
  const path = join(dir, file);
  try {
    assertCheckpointSize(statSync(path).size, file);
    const bytes = new Uint8Array(readFileSync(path));
    const { weights, ignored } = mapToModel(loadCheckpoint(bytes, file), base.config);
    return { ...base, tokenizer, weights, weightsFile: file, ignored };
  } catch (error) {
    // The reader's messages start with the file name already; add the folder.
    throw new CliError(`in ${dir}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function loadTokenizer(dir: string): CodeSearchTokenizer {
  try {
    if (existsSync(join(dir, 'vocab.json')) && existsSync(join(dir, 'merges.txt'))) {
      const vocab = readJson(join(dir, 'vocab.json')) as Record<string, number>;
      return tokenizerFromVocabMerges(vocab, readFileSync(join(dir, 'merges.txt'), 'utf8').split('\n'));
    }
    if (existsSync(join(dir, 'tokenizer.json'))) return tokenizerFromJson(readJson(join(dir, 'tokenizer.json')));
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`${dir}: the tokenizer files are unusable (${error instanceof Error ? error.message : String(error)})`);
  }
  throw new CliError(`${dir} has no tokenizer: expected vocab.json + merges.txt (or tokenizer.json)`);
}

/** Copies the tokenizer files a model folder has into an exported folder, so it loads on its own. */
export function copyTokenizer(from: string, to: string): void {
  for (const t of TOKENIZER_FILES) if (existsSync(join(from, t))) copyFileSync(join(from, t), join(to, t));
}
