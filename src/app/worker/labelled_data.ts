/**
 * A classification run's data in the Worker: the shards read again with the task's fields (text, pair, label) —
 * once per shard and field choice — split as the run's data plan says, the classes taken from the task or the
 * training part's labels (sorted), validation records of another class skipped, then encoded.
 */
import { labelClasses, type Example, type FieldSelection } from '../../engine/data';
import { encodeLabelled, type EncodedLabelled } from '../../engine/io/encode';
import type { CodeSearchTokenizer } from '../../engine/io/tokenizer';
import type { RecipeSettings } from '../../engine/train/run_config';
import { classWeightValues, type ClassificationTask } from '../../engine/train/task';
import type { TrainerTask } from '../../engine/train/run_config';
import type { DataPlan } from './protocol';
import { checkBatch, readShardInput, RunDataError, shard, splitExamples, type ShardEntry } from './shards';

export interface LabelledRunData {
  readonly train: EncodedLabelled;
  readonly valid: EncodedLabelled | null;
  readonly classes: readonly string[];
  readonly task: TrainerTask;
  /** Validation records skipped because their label is not one of the classes. */
  readonly skippedValid: number;
}

/** One shard's examples read with one field choice: the last few are kept (a run usually reuses its shards). */
const cache = new Map<string, readonly Example[]>();
const CACHED = 4;

async function labelledExamples(entry: ShardEntry, mapping: FieldSelection): Promise<readonly Example[]> {
  const key = `${entry.id}\u0000${JSON.stringify(mapping)}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const { examples } = await readShardInput(entry.id, entry.input, () => undefined, mapping).catch((error: unknown) => {
    throw new RunDataError(`${entry.report.name}: ${error instanceof Error ? error.message : String(error)} (check the task's text and label fields)`);
  });
  cache.set(key, examples);
  for (const k of cache.keys()) if (cache.size > CACHED) cache.delete(k);
  return examples;
}

export async function prepareLabelledData(plan: DataPlan, shards: ReadonlyMap<string, ShardEntry>, tok: CodeSearchTokenizer, recipe: Pick<RecipeSettings, 'codeLength' | 'batchSize'>, task: ClassificationTask): Promise<LabelledRunData> {
  const mapping = { code: task.text, query: task.pair ?? task.text, label: task.label };
  const train0 = await labelledExamples(shard(shards, plan.train, 'training'), mapping);
  const validShard = plan.valid.kind === 'shard' ? await labelledExamples(shard(shards, plan.valid.id, 'validation'), mapping) : null;
  const { train, valid } = splitExamples(plan, train0, validShard);
  checkBatch(train.length, recipe.batchSize);
  let classes: readonly string[];
  try {
    classes = task.classes ?? labelClasses(train, 'The training data').classes;
  } catch (error) {
    throw new RunDataError(error instanceof Error ? error.message : String(error));
  }
  const index = new Map(classes.map((c, i) => [c, i]));
  const usable = valid.filter((e) => index.has(e.label!));
  const known = train.filter((e) => index.has(e.label!));
  if (known.length < train.length) throw new RunDataError(`${train.length - known.length} training record(s) have a label that is not one of the classes (${classes.join(', ')}): add it to the classes or fix the data.`);
  const encode = (set: readonly Example[]): EncodedLabelled => encodeLabelled(set, tok, recipe.codeLength, task.pair !== null, (e) => index.get(e.label!)!);
  const encoded = encode(train);
  const counts = classes.map(() => 0);
  for (const l of encoded.labels) counts[l]!++;
  let classWeights: Float64Array | null;
  try {
    classWeights = classWeightValues(task.classWeights, counts);
  } catch (error) {
    throw new RunDataError(`Class weights: ${error instanceof Error ? error.message : String(error)}`);
  }
  return {
    train: encoded,
    valid: usable.length > 0 ? encode(usable) : null,
    classes,
    task: { kind: 'classification', classes: classes.length, classWeights, bestMetric: task.bestMetric },
    skippedValid: valid.length - usable.length,
  };
}
