/**
 * Dataset shards inside the Worker: read once when dropped (streamed, with progress), kept as examples, split
 * and encoded for runs. The page only ever sees the reports and statistics.
 */
import { CODE_FIELDS, DataError, FieldsNotFound, readShard, shardStatistics, sourceFromBlob, splitIndices, type Example, type FieldSelection, type ShardProgress, type ShardReport, type ShardStatistics } from '../../engine/data';
import { encodeExamples, type EncodedShard } from '../../engine/io/encode';
import { tokenCount, type CodeSearchTokenizer } from '../../engine/io/tokenizer';
import type { RecipeSettings } from '../../engine/train/run_config';
import type { DataPlan, ShardInput } from './protocol';
import { storedShardFile } from './workspace_files';

export interface ShardEntry {
  readonly id: string;
  readonly examples: readonly Example[];
  readonly report: ShardReport;
  /** Where the shard came from, to read it again with other fields (a classification task's text and label). */
  readonly input: ShardInput;
  /** No query field was found: the shard holds code only, for classification (its task names the fields). */
  readonly codeOnly?: boolean;
}

/**
 * A dropped shard: code/query pairs as detected; a file without a query field (a labelled probing or defect set)
 * is read with its code field on both sides and marked code-only, so a classification task can use it.
 */
export async function readDroppedShard(id: string, input: ShardInput, onProgress: (p: ShardProgress) => void): Promise<Omit<ShardEntry, 'id' | 'input'>> {
  try {
    return await readShardInput(id, input, onProgress);
  } catch (error) {
    if (!(error instanceof FieldsNotFound)) throw error;
    for (const field of CODE_FIELDS) {
      const read = await readShardInput(id, input, onProgress, { code: field, query: field }).catch((e: unknown) => (e instanceof DataError ? null : Promise.reject(e)));
      if (!read) continue;
      read.report.warnings.push(`No query field: the code is in "${field}". This file can train a classification task (choose its label field under Task), not code search.`);
      return { ...read, codeOnly: true };
    }
    throw error;
  }
}

/** Statistics tokenize at most this many examples (evenly spaced), so a 250k-example shard stays quick. */
export const STATS_SAMPLE = 5_000;
const PROGRESS_EVERY_MS = 100;

/** `id`: the shard's id, under which a stored copy is found; `mapping`: the fields, when not detected. */
export async function readShardInput(id: string, input: ShardInput, onProgress: (p: ShardProgress) => void, mapping?: FieldSelection): Promise<{ examples: Example[]; report: ShardReport }> {
  let last = 0;
  const throttled = (p: ShardProgress): void => {
    const now = performance.now();
    if (now - last < PROGRESS_EVERY_MS) return;
    last = now;
    onProgress(p);
  };
  const options = { onProgress: throttled, ...(mapping ? { mapping } : {}) };
  if (input.kind === 'file') return readShard(sourceFromBlob(input.file, input.file.name), options);
  if (input.kind === 'stored') {
    const file = await storedShardFile(id);
    if (!file) throw new RunDataError(`The copy of ${input.name} kept in this browser is gone (its storage was freed or cleared): drop the file again.`);
    return readShard(sourceFromBlob(file, input.name), options);
  }
  const response = await fetch(input.url);
  if (!response.ok) throw new Error(`${input.name} could not be fetched (${response.status}): reload the page.`);
  return readShard(sourceFromBlob(await response.blob(), input.name), options);
}

function evenlySpaced<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  return Array.from({ length: count }, (_, i) => items[Math.floor((i * items.length) / count)]!);
}

export function statisticsOf(entry: ShardEntry, tok: CodeSearchTokenizer, codeLength: number, nlLength: number): ShardStatistics {
  const sample = evenlySpaced(entry.examples, STATS_SAMPLE);
  // Lengths past 8,192 tokens count as 8,192: the histogram's last bin starts at 1,024, and a giant record
  // is not tokenized whole.
  return shardStatistics(sample, (text) => tokenCount(tok, text, 8192), { code: codeLength, query: nlLength });
}

export interface RunData {
  readonly train: EncodedShard;
  readonly valid: EncodedShard | null;
}

/** A problem with the data a run asked for, phrased for the user. */
export class RunDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunDataError';
  }
}

export function shard(shards: ReadonlyMap<string, ShardEntry>, id: string, role: string): ShardEntry {
  const entry = shards.get(id);
  if (!entry) throw new RunDataError(`The ${role} shard is no longer loaded: drop it again.`);
  return entry;
}

/** The plan's train and validation examples: a shard each, or one shard split; the validation part limited. */
export function splitExamples(plan: DataPlan, train: readonly Example[], validShard: readonly Example[] | null): { train: readonly Example[]; valid: readonly Example[] } {
  let valid: readonly Example[] = validShard ?? [];
  if (plan.valid.kind === 'split') {
    const parts = splitIndices(train.length, { valid: plan.valid.fraction, test: 0, seed: plan.valid.seed });
    valid = parts.valid.map((i) => train[i]!);
    train = parts.train.map((i) => train[i]!);
  }
  if (plan.validLimit !== null) valid = valid.slice(0, plan.validLimit);
  return { train, valid };
}

/** The plan's validation examples (a shard, or the held-out part of the training shard), as text. */
export function validationExamples(plan: DataPlan, shards: ReadonlyMap<string, ShardEntry>): readonly Example[] {
  const trainShard = shard(shards, plan.train, 'training');
  const validShard = plan.valid.kind === 'shard' ? shard(shards, plan.valid.id, 'validation').examples : null;
  return splitExamples(plan, trainShard.examples, validShard).valid;
}

/** The run's train and validation examples, split and limited as the plan says, then encoded. */
export function prepareRunData(plan: DataPlan, shards: ReadonlyMap<string, ShardEntry>, tok: CodeSearchTokenizer, recipe: Pick<RecipeSettings, 'codeLength' | 'nlLength' | 'batchSize'>): RunData {
  const { codeLength, nlLength, batchSize } = recipe;
  const used = [shard(shards, plan.train, 'training'), ...(plan.valid.kind === 'shard' ? [shard(shards, plan.valid.id, 'validation')] : [])];
  const codeOnly = used.find((e) => e.codeOnly);
  if (codeOnly) throw new RunDataError(`${codeOnly.report.name} has no queries, so it cannot train code search: choose the classification task (with its label field) or drop code/query pairs.`);
  const validShard = plan.valid.kind === 'shard' ? used[1]!.examples : null;
  const { train, valid } = splitExamples(plan, used[0]!.examples, validShard);
  checkBatch(train.length, batchSize);
  return {
    train: encodeExamples(train, tok, codeLength, nlLength),
    valid: valid.length > 0 ? encodeExamples(valid, tok, codeLength, nlLength) : null,
  };
}

export function checkBatch(examples: number, batchSize: number): void {
  if (examples < batchSize) {
    throw new RunDataError(
      `The training set has ${examples} example${examples === 1 ? '' : 's'}, fewer than one batch of ${batchSize}: lower the batch size, hold out fewer validation pairs, or drop a bigger shard.`,
    );
  }
}
