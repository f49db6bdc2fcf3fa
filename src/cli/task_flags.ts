/**
 * The task flags of `train` (docs/TASKS.md) and what a classification run reads from its data: the text and label
 * fields, the classes (given, or the training set's labels sorted) and their loss weights.
 */
import { labelClasses } from '../engine/data/labels';
import { readShard } from '../engine/data/shard';
import { sourceFromPath } from '../engine/data/node_source';
import type { Example } from '../engine/data/types';
import { encodeLabelled, type EncodedLabelled } from '../engine/io/encode';
import type { CodeSearchTokenizer } from '../engine/io/tokenizer';
import { CLASSIFICATION_DEFAULTS, CLASSIFICATION_METRICS, classWeightValues, readTask, type ClassificationTask, type TaskConfig } from '../engine/train/task';
import type { TrainerTask } from '../engine/train/run_config';
import type { FlagReader, FlagSpec } from './args';
import { CliError } from './errors';

export const TASK_FLAGS: FlagSpec = {
  task: { type: 'string' },
  'text-field': { type: 'string' },
  'pair-field': { type: 'string' },
  'label-field': { type: 'string' },
  classes: { type: 'string' },
  'class-weights': { type: 'string' },
  'best-metric': { type: 'string' },
};

export const TASK_HELP = `  --task T            code-search (default: code and query towers, MRR) | classification (the <s> state through
                      RobertaForSequenceClassification's head; accuracy, F1, AUC-ROC)
  classification:
  --text-field F      the field holding the input (default ${CLASSIFICATION_DEFAULTS.text})
  --pair-field F      a second field: inputs become RoBERTa pairs <s> a </s></s> b </s> (e.g. a change and its message)
  --label-field F     the field holding each record's class (default ${CLASSIFICATION_DEFAULTS.label})
  --classes A,B,...   class names in class order (default: the training set's labels, sorted; with two classes the
                      second is the positive one for F1 and AUC)
  --class-weights W   none (default) | balanced (n / (classes · count)) | w1,w2,... one weight per class
  --best-metric M     keep the weights with the best ${CLASSIFICATION_METRICS.join(' | ')} on --valid (default ${CLASSIFICATION_DEFAULTS.bestMetric})`;

/** The task from the flags over a base (a --config file's or a resumed run's task; else code search). */
export function taskFromFlags(f: FlagReader, base: TaskConfig | null): TaskConfig {
  const kind = f.string('task') ?? base?.kind ?? 'code-search';
  const given = ['text-field', 'pair-field', 'label-field', 'classes', 'class-weights', 'best-metric'].filter((k) => f.string(k) !== undefined);
  if (kind === 'code-search') {
    if (given.length > 0) throw new CliError(`--${given[0]} is a classification flag: add --task classification`);
    return readChecked({ kind });
  }
  const from = base?.kind === 'classification' ? base : CLASSIFICATION_DEFAULTS;
  const list = (v: string | undefined): string[] | undefined => v?.split(',').map((x) => x.trim());
  const weights = f.string('class-weights');
  return readChecked({
    kind,
    text: f.string('text-field') ?? from.text,
    pair: f.string('pair-field') ?? from.pair,
    label: f.string('label-field') ?? from.label,
    classes: list(f.string('classes')) ?? from.classes,
    classWeights: weights === undefined ? from.classWeights : weights === 'none' || weights === 'balanced' ? weights : list(weights)!.map(Number),
    bestMetric: f.string('best-metric') ?? from.bestMetric,
  });
}

function readChecked(json: unknown): TaskConfig {
  const problems: string[] = [];
  const task = readTask(json, 'task', problems);
  if (problems.length > 0) throw new CliError(problems.join('; '));
  return task;
}

/** A classification data set, read, mapped to classes and tokenized. */
export interface LabelledShard extends EncodedLabelled {
  readonly classes: readonly string[];
  readonly counts: readonly number[];
}

/**
 * Reads a classification shard: the training set fixes the classes (unless the task names them); a validation
 * record whose label is not a class is skipped and reported, as any unusable record.
 */
export async function loadLabelledShard(path: string, flag: string, tok: CodeSearchTokenizer, task: ClassificationTask, length: number, classes: readonly string[] | null): Promise<LabelledShard> {
  const mapping = { code: task.text, query: task.pair ?? task.text, label: task.label };
  const { examples: all, report } = await readShard(await sourceFromPath(path), { mapping }).catch((error: unknown) => {
    throw new CliError(`--${flag} ${path}: ${error instanceof Error ? error.message : String(error)}`);
  });
  const known = classes ?? task.classes ?? classesOf(all, `--${flag} ${path}`);
  const index = new Map(known.map((c, i) => [c, i]));
  const examples = all.filter((e) => index.has(e.label!));
  const unknown = all.filter((e) => !index.has(e.label!));
  const skipped = report.skipped + unknown.length;
  if (skipped > 0) {
    const first = [...report.firstSkipped.map((s) => `line ${s.line}: ${s.reason}`), ...unknown.slice(0, 3).map((e) => `line ${e.line}: label ${JSON.stringify(e.label)} is not one of the classes`)].slice(0, 3);
    process.stderr.write(`lab: ${path}: skipped ${skipped} record(s) (${first.join('; ')}${skipped > first.length ? '; …' : ''})\n`);
  }
  if (examples.length === 0) throw new CliError(`--${flag} ${path} has no usable labelled examples (${skipped} skipped): check --text-field, --label-field and --classes`);
  const encoded = encodeLabelled(examples, tok, length, task.pair !== null, (e) => index.get(e.label!)!);
  const counts = known.map(() => 0);
  for (const l of encoded.labels) counts[l]!++;
  return { ...encoded, classes: known, counts };
}

function classesOf(examples: readonly Example[], what: string): readonly string[] {
  try {
    return labelClasses(examples, what).classes;
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error));
  }
}

/** The trainer's view of a classification task, once the training set's classes and counts are known. */
export function trainerTask(task: ClassificationTask, train: LabelledShard): TrainerTask {
  try {
    return { kind: 'classification', classes: train.classes.length, classWeights: classWeightValues(task.classWeights, train.counts), bestMetric: task.bestMetric };
  } catch (error) {
    throw new CliError(`--class-weights: ${error instanceof Error ? error.message : String(error)}`);
  }
}
