/**
 * The whole description of a run as plain data: what the dashboard edits, what share links encode, what the
 * CLI's flags build and what `config.json` in a run's output records. Validated field by field.
 */
import type { EncoderConfig } from '../model/config';
import type { Pooling } from '../model/head';
import { asObject, ConfigError, FieldReader } from '../peft/fields';
import { parsePeftConfig } from '../peft/parse';
import type { PeftConfig } from '../peft/types';
import { readPruneSchedule, scheduleProblems, type PruneSchedule } from '../prune/schedule_config';
import { readTask, type ClassificationMetric, type TaskConfig } from './task';
import type { RecipeShape } from './trainable_model';

export interface RecipeSettings {
  readonly lr: number;
  readonly batchSize: number;
  /** Total optimizer steps; null: train for `epochs`. */
  readonly steps: number | null;
  readonly epochs: number;
  readonly warmupSteps: number;
  readonly weightDecay: number;
  readonly maxGradNorm: number;
  readonly seed: number;
  readonly shuffle: boolean;
  readonly codeLength: number;
  readonly nlLength: number;
  readonly pooling: Pooling;
  /** L2-normalize embeddings (UniXcoder); usually with scale 20. */
  readonly normalize: boolean;
  readonly scale: number;
  readonly hiddenDropout: number;
  readonly attentionDropout: number;
  /**
   * Keep frozen linear weights in 16 bits on the GPU (packed halves, read as f32): halves their memory on any
   * adapter; the model computes with them rounded to half precision.
   */
  readonly frozenWeightsF16: boolean;
  /** Evaluate every N steps (0: at the end only). */
  readonly evalEvery: number;
  readonly evalBatchSize: number;
}

/** CodeXGLUE's recipe as the thesis ran it (Table 7.2), with 1 epoch as the default length. */
export const DEFAULT_RECIPE: RecipeSettings = {
  lr: 1e-5,
  batchSize: 16,
  steps: null,
  epochs: 1,
  warmupSteps: 0,
  weightDecay: 0,
  maxGradNorm: 1,
  seed: 123456,
  shuffle: true,
  codeLength: 256,
  nlLength: 128,
  pooling: 'pooler',
  normalize: false,
  scale: 1,
  hiddenDropout: 0.1,
  attentionDropout: 0.1,
  frozenWeightsF16: false,
  evalEvery: 0,
  evalBatchSize: 16,
};

export function parseRecipe(json: unknown, model: EncoderConfig | null, path = 'recipe'): RecipeSettings {
  const problems: string[] = [];
  const r = readRecipe(new FieldReader(asObject(json, path, problems), path, problems), model);
  if (problems.length > 0) throw new ConfigError('The training settings', problems);
  return r;
}

function readRecipe(f: FieldReader, model: EncoderConfig | null): RecipeSettings {
  const d = DEFAULT_RECIPE;
  f.rejectUnknown(Object.keys(d));
  const maxLen = model ? model.maxPositions - model.padTokenId - 1 : 4096;
  const steps = f.raw('steps');
  return {
    lr: f.num('lr', 0, 1, d.lr),
    batchSize: f.int('batchSize', 2, 4096, d.batchSize),
    steps: steps === null || steps === undefined ? null : f.int('steps', 1, 100_000_000),
    epochs: f.num('epochs', 0, 10_000, d.epochs),
    warmupSteps: f.int('warmupSteps', 0, 100_000_000, d.warmupSteps),
    weightDecay: f.num('weightDecay', 0, 10, d.weightDecay),
    maxGradNorm: f.num('maxGradNorm', 0, 1e6, d.maxGradNorm),
    seed: f.int('seed', 0, 0xffffffff, d.seed),
    shuffle: f.bool('shuffle', d.shuffle),
    codeLength: f.int('codeLength', 3, maxLen, Math.min(d.codeLength, maxLen)),
    nlLength: f.int('nlLength', 3, maxLen, Math.min(d.nlLength, maxLen)),
    pooling: f.oneOf('pooling', ['pooler', 'cls', 'mean'], d.pooling),
    normalize: f.bool('normalize', d.normalize),
    scale: f.num('scale', 1e-6, 1e6, d.scale),
    hiddenDropout: f.num('hiddenDropout', 0, 0.99, d.hiddenDropout),
    attentionDropout: f.num('attentionDropout', 0, 0.99, d.attentionDropout),
    frozenWeightsF16: f.bool('frozenWeightsF16', d.frozenWeightsF16),
    evalEvery: f.int('evalEvery', 0, 100_000_000, d.evalEvery),
    evalBatchSize: f.int('evalBatchSize', 1, 65535, d.evalBatchSize),
  };
}

/** What a run learns, as the trainer needs it: the classes are known once the training data is read. */
export type TrainerTask =
  | { readonly kind: 'code-search' }
  | { readonly kind: 'classification'; readonly classes: number; readonly classWeights: Float64Array | null; readonly bestMetric: ClassificationMetric };

/** What the trainer needs, derived from the recipe (trainerConfig). */
export interface TrainerConfig {
  readonly task: TrainerTask;
  readonly peft: PeftConfig;
  readonly recipe: RecipeShape;
  readonly lr: number;
  readonly weightDecay: number;
  readonly maxGradNorm: number;
  readonly warmupSteps: number;
  /** Total optimizer steps; null: `epochs` passes over the data. */
  readonly steps: number | null;
  readonly epochs: number;
  readonly seed: number;
  readonly shuffle: boolean;
  /** Evaluate every this many steps (0: only at the end). */
  readonly evalEvery: number;
  readonly evalBatchSize: number;
}

export function trainerConfig(recipe: RecipeSettings, peft: PeftConfig, task: TrainerTask = { kind: 'code-search' }): TrainerConfig {
  return {
    task,
    peft,
    recipe: {
      batchSize: recipe.batchSize,
      codeLength: recipe.codeLength,
      nlLength: recipe.nlLength,
      head: { pooling: recipe.pooling, normalize: recipe.normalize },
      classWeights: task.kind === 'classification' ? task.classWeights : null,
      scale: recipe.scale,
      hiddenDropout: recipe.hiddenDropout,
      attentionDropout: recipe.attentionDropout,
      frozenWeightsF16: recipe.frozenWeightsF16,
    },
    lr: recipe.lr,
    weightDecay: recipe.weightDecay,
    maxGradNorm: recipe.maxGradNorm,
    warmupSteps: recipe.warmupSteps,
    steps: recipe.steps,
    epochs: recipe.epochs,
    seed: recipe.seed,
    shuffle: recipe.shuffle,
    evalEvery: recipe.evalEvery,
    evalBatchSize: recipe.evalBatchSize,
  };
}

/** A run: model, dataset name (never the data), task, method and recipe. */
export interface RunConfig {
  readonly model: string;
  readonly dataset: string;
  readonly task: TaskConfig;
  readonly peft: PeftConfig;
  readonly recipe: RecipeSettings;
  /** An iterative pruning schedule (absent: an ordinary run). */
  readonly pruning?: PruneSchedule;
}

export function parseRunConfig(json: unknown, model: EncoderConfig): RunConfig {
  const problems: string[] = [];
  const root = asObject(json, 'run', problems);
  const f = new FieldReader(root, 'run', problems);
  f.rejectUnknown(['model', 'dataset', 'task', 'peft', 'recipe', 'pruning']);
  const name = typeof root.model === 'string' && root.model.length > 0 ? root.model : (problems.push('run.model: must be a model id or name'), '');
  const dataset = typeof root.dataset === 'string' ? root.dataset : '';
  let peft: PeftConfig | null = null;
  try {
    peft = parsePeftConfig(root.peft, model);
  } catch (error) {
    problems.push(...(error instanceof ConfigError ? error.problems : [String(error)]));
  }
  const task = readTask(root.task, 'run.task', problems);
  const recipe = readRecipe(new FieldReader(asObject(root.recipe ?? {}, 'run.recipe', problems), 'run.recipe', problems), model);
  const pruning = root.pruning === undefined || root.pruning === null ? null : readPruneSchedule(new FieldReader(asObject(root.pruning, 'run.pruning', problems), 'run.pruning', problems));
  if (pruning) problems.push(...scheduleProblems(pruning, recipe.evalEvery));
  if (problems.length > 0 || !peft) throw new ConfigError('The run configuration', problems);
  return { model: name, dataset, task, peft, recipe, ...(pruning ? { pruning } : {}) };
}
