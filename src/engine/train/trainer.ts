/**
 * The training loop (the CodeXGLUE recipe, for code search and classification alike): seeded epoch permutations
 * (or file order), batches of B (the last partial batch of an epoch is dropped), linear warmup/decay, evaluation
 * every N steps with the best weights kept (by MRR, or the classification metric the task names), typed events. A NaN/Inf loss stops the run with an error event; a GPU
 * failure (lost device, out of memory) ends it as TrainingInterrupted with the last checkpoint untouched.
 */
import { shuffleIndices } from '../data/split';
import { ConfigError } from '../peft/fields';
import { GpuError } from '../gpu/errors';
import type { Runtime } from '../gpu/runtime';
import { evaluateClassification } from '../eval/classification_eval';
import type { ClassificationMetrics } from '../eval/classification_metrics';
import { evaluateRetrieval, type EncodedSet } from '../eval/retrieval';
import { percentOf, type PeftPlan } from '../peft/plan';
import { classificationScores, metricValue, type ClassificationEval, type EmitEvent, type EvalEvent, type TrainableSummary } from './events';
import type { BestSoFar, CheckpointPolicy, TrainState } from './train_state';
import { linearWarmupFactor } from './schedule';
import { buildModel } from './build_model';
import type { PruningMasks } from '../prune/masks';
import type { TrainerConfig } from './run_config';
import type { RecipeShape, TrainableModel } from './trainable_model';

export type { TrainerConfig } from './run_config';

export interface TrainerControl {
  /** Checked between steps: true ends the run cleanly (a `done` event with stopped: true). */
  readonly shouldStop: () => boolean;
  /** Awaited between steps: resolves when the run may continue (pause/resume). */
  readonly gate: () => Promise<void>;
}

export interface TrainOutcome {
  readonly model: TrainableModel;
  readonly final: Map<string, Float32Array>;
  /** The trainable weights at the best evaluation (null without a validation set). */
  readonly best: Map<string, Float32Array> | null;
  /** The metric the best weights were chosen by and its value (null without a validation set). */
  readonly bestScore: { readonly metric: string; readonly value: number } | null;
  readonly steps: number;
}

export function stepsPerEpoch(examples: number, batchSize: number): number {
  return Math.floor(examples / batchSize);
}

/** Continuing a run and saving its state as it goes (the CLI's --resume / checkpoint folder, the page's OPFS). */
export interface TrainerPersistence {
  /** A checkpoint of this run to continue from (its step is the first step to run). */
  readonly resume?: TrainState | null;
  readonly checkpoint?: CheckpointPolicy | null;
}

export async function runTraining(
  rt: Runtime,
  plan: PeftPlan,
  initial: ReadonlyMap<string, Float32Array>,
  config: TrainerConfig,
  data: { readonly train: EncodedSet; readonly valid: EncodedSet | null },
  emit: EmitEvent,
  control: TrainerControl = { shouldStop: () => false, gate: async () => undefined },
  persistence: TrainerPersistence = {},
  /** Pruned weights to keep at zero (the initial values must already hold the zeros: maskWeights). */
  pruning: PruningMasks | null = null,
): Promise<TrainOutcome> {
  const B = config.recipe.batchSize;
  const perEpoch = stepsPerEpoch(data.train.n, B);
  checkTaskData(plan, config, data);
  if (perEpoch < 1) throw new ConfigError('The recipe', [`the training set has ${data.train.n} examples, fewer than one batch of ${B}: lower the batch size or add data`]);
  // An error the device reports outside any step (lost, or an uncaptured error) ends the run at the next gate.
  let failure: GpuError | null = null;
  const off = rt.on((e) => (failure ??= e.type === 'device-lost' ? new GpuError('device-lost', e.message) : e.error));
  const loop = new TrainingLoop(rt, plan, initial, config, data, emit, persistence, pruning);
  try {
    return await loop.run(control, () => failure);
  } catch (error) {
    // The first thing the device reported is the cause (an allocation out of memory, then a validation error of
    // the step that used the buffer): the user is told that, not its consequence.
    const thrown = error instanceof GpuError ? error : rt.isLost ? new GpuError('device-lost', String(error)) : null;
    const gpu = thrown ? ((failure as GpuError | null) ?? thrown) : null;
    if (gpu) throw new TrainingInterrupted(gpu, loop.best, loop.savedStep);
    throw error;
  } finally {
    off();
  }
}

/** One run's loop and what it has so far: the best evaluation, the step of the last checkpoint written. */
class TrainingLoop {
  best: BestSoFar | null;
  savedStep: number | null;
  private evaluatedAt: number;
  private readonly tm: TrainableModel;
  private readonly total: number;

  constructor(
    private readonly rt: Runtime,
    plan: PeftPlan,
    initial: ReadonlyMap<string, Float32Array>,
    private readonly config: TrainerConfig,
    private readonly data: { readonly train: EncodedSet; readonly valid: EncodedSet | null },
    private readonly emit: EmitEvent,
    private readonly persistence: TrainerPersistence,
    private readonly pruning: PruningMasks | null,
  ) {
    this.total = config.steps ?? config.epochs * stepsPerEpoch(data.train.n, config.recipe.batchSize);
    this.tm = buildModel(rt, plan, config, 'train');
    this.tm.weights.load(initial);
    const resume = persistence.resume ?? null;
    if (resume) this.tm.restoreState(resume);
    this.best = resume?.best ?? null;
    this.savedStep = resume?.step ?? null;
    this.evaluatedAt = resume?.best?.step ?? -1;
  }

  private get classifies(): boolean {
    return this.config.task.kind === 'classification';
  }

  async run(control: TrainerControl, failure: () => GpuError | null): Promise<TrainOutcome> {
    const { config, data, emit, tm, total } = this;
    const B = config.recipe.batchSize;
    const resume = this.persistence.resume ?? null;
    if (this.pruning) await tm.prune(this.pruning);
    emit({ type: 'start', total_steps: total, steps_per_epoch: stepsPerEpoch(data.train.n, B), examples: data.train.n, trainable: trainableSummary(tm.plan), ...(resume ? { resumed_from: resume.step } : {}) });
    const batches = new Batcher(data.train, B, config.seed, config.shuffle, config.recipe);
    const started = performance.now();
    const every = this.persistence.checkpoint?.every ?? 0;
    let step = resume?.step ?? 0;
    let stopped = false;
    for (; step < total; step++) {
      await control.gate();
      const failed = failure();
      if (failed) throw failed; // the state on the device is not trusted: the last checkpoint stays as it is
      if (control.shouldStop()) {
        stopped = true;
        await this.save(step); // first: a second interrupt during the final evaluation still finds it
        break;
      }
      const t0 = performance.now();
      const { code, nl, labels } = batches.batch(step);
      const lr = config.lr * linearWarmupFactor(step, config.warmupSteps, total);
      const r = labels ? await tm.classifyStep(code, labels, step, lr) : await tm.step(code, nl, step, lr);
      if (!Number.isFinite(r.loss) || !Number.isFinite(r.gradNorm)) {
        const message = `the loss became ${r.loss} (gradient norm ${r.gradNorm}) at step ${step + 1}: the run diverged. Lower the learning rate (now ${config.lr}), keep gradient clipping on, or check the data.`;
        emit({ type: 'error', message, step: step + 1 });
        // The diverged values are not saved: the last checkpoint and the best weights stay what they were.
        throw new TrainingDiverged(message, this.best);
      }
      const dt = (performance.now() - t0) / 1000;
      const tokens = B * (config.recipe.codeLength + (this.classifies ? 0 : config.recipe.nlLength));
      emit({ type: 'step', step: step + 1, loss: r.loss, lr, grad_norm: r.gradNorm, tokens_per_s: tokens / Math.max(dt, 1e-9), elapsed_ms: performance.now() - started });
      const evaluates = config.evalEvery > 0 && (step + 1) % config.evalEvery === 0 && step + 1 < total;
      if (evaluates) await this.evaluate(step + 1);
      if (evaluates || (every > 0 && (step + 1) % every === 0)) await this.save(step + 1);
    }
    if (step > 0) await this.evaluate(step);
    if (!stopped) await this.save(step);
    const final = await tm.weights.readTrainable();
    const b = this.best;
    const bestMrr = b?.metric === 'mrr' ? b.value : null;
    emit({ type: 'done', steps: step, best_step: b?.step ?? null, best_mrr: bestMrr, best_metric: this.metricName, best_value: b?.value ?? null, elapsed_ms: performance.now() - started, stopped });
    return { model: tm, final, best: b ? new Map(b.weights) : null, bestScore: b ? { metric: b.metric, value: b.value } : null, steps: step };
  }

  private async save(step: number): Promise<void> {
    const checkpoint = this.persistence.checkpoint;
    if (!checkpoint) return;
    await checkpoint.save({ step, ...(await this.tm.readState()), best: this.best });
    this.savedStep = step;
  }

  /** The metric the best weights are chosen by. */
  private get metricName(): string {
    const task = this.config.task;
    return task.kind === 'classification' ? task.bestMetric : 'mrr';
  }

  private async evaluate(step: number): Promise<void> {
    const valid = this.data.valid;
    if (!valid || this.evaluatedAt === step) return; // a run stopped right after an evaluation is not evaluated twice
    this.evaluatedAt = step;
    const { rt, tm, config } = this;
    const scored = this.classifies ? classificationEvent(step, (await evaluateClassification(rt, tm, valid, config.evalBatchSize)).metrics) : searchEvent(step, (await evaluateRetrieval(rt, tm, valid, config.evalBatchSize)).metrics);
    const value = metricValue(scored, this.metricName);
    // An undefined value (AUC with a class missing from the validation set) never replaces a best.
    const isBest = value !== null && (!this.best || value > this.best.value);
    if (isBest) this.best = { step, metric: this.metricName, value, weights: await tm.weights.readTrainable() };
    this.emit({ ...scored, best: isBest });
  }
}

function searchEvent(step: number, m: { mrr: number; recall1: number; recall5: number; recall10: number; n: number }): EvalEvent {
  return { type: 'eval', step, mrr: m.mrr, recall_1: m.recall1, recall_5: m.recall5, recall_10: m.recall10, n: m.n, best: false };
}

function classificationEvent(step: number, m: ClassificationMetrics): ClassificationEval {
  return { type: 'eval', task: 'classification', step, ...classificationScores(m), best: false };
}

/** A classification run needs every example labelled with one of the head's classes. */
function checkTaskData(plan: PeftPlan, config: TrainerConfig, data: { readonly train: EncodedSet; readonly valid: EncodedSet | null }): void {
  const task = config.task;
  const classes = task.kind === 'classification' ? task.classes : null;
  if (plan.classes !== classes) throw new Error(`the plan has ${plan.classes ?? 'no'} classes where the task has ${classes ?? 'none'}: plan the model with the task's classes`);
  if (classes === null) return;
  for (const [name, set] of [['training', data.train], ['validation', data.valid]] as const) {
    if (!set) continue;
    if (!set.labels || set.labels.length !== set.n) throw new ConfigError('The data', [`the ${name} set has no labels: read it with the task's label field`]);
    if (set.labels.some((l) => l >= classes)) throw new ConfigError('The data', [`the ${name} set has a label outside the task's ${classes} classes`]);
  }
}

function trainableSummary(p: PeftPlan): TrainableSummary {
  return { exact: p.exactTrainable, paper: p.paperTrainable, base: p.baseTotal, percentExact: percentOf(p.exactTrainable, p.baseTotal), percentPaper: percentOf(p.paperTrainable, p.baseTotal) };
}

/**
 * A run the GPU ended: the device was lost (driver reset, sleep, another tab, or destroyed), ran out of
 * memory, or reported an error. Nothing of the broken state is saved: `checkpointStep` is the step of the last
 * checkpoint written (the run continues from there, on a new device), `best` the best evaluation's weights.
 */
export class TrainingInterrupted extends Error {
  constructor(
    readonly gpuError: GpuError,
    readonly best: BestSoFar | null,
    readonly checkpointStep: number | null,
  ) {
    super(gpuError.message);
    this.name = 'TrainingInterrupted';
  }
}

/** A run whose loss became NaN or infinite; `best` is the best evaluation's weights so far, kept for the caller. */
export class TrainingDiverged extends Error {
  constructor(
    message: string,
    readonly best: BestSoFar | null = null,
  ) {
    super(message);
    this.name = 'TrainingDiverged';
  }
}

/** Training batches: a seeded permutation per epoch (or file order), B rows each, padded ids copied out. */
class Batcher {
  private order: Uint32Array | null = null;
  private epoch = -1;

  constructor(
    private readonly set: EncodedSet,
    private readonly B: number,
    private readonly seed: number,
    private readonly shuffle: boolean,
    private readonly recipe: RecipeShape,
  ) {}

  batch(step: number): { code: Uint32Array; nl: Uint32Array; labels: Uint32Array | null } {
    const perEpoch = stepsPerEpoch(this.set.n, this.B);
    const epoch = Math.floor(step / perEpoch);
    if (epoch !== this.epoch) {
      this.order = this.shuffle ? shuffleIndices(this.set.n, this.seed, epoch) : Uint32Array.from({ length: this.set.n }, (_, i) => i);
      this.epoch = epoch;
    }
    const start = (step % perEpoch) * this.B;
    const rows = this.order!.subarray(start, start + this.B);
    const labels = this.set.labels ? Uint32Array.from(rows, (r) => this.set.labels![r]!) : null;
    // A classification set has no queries: its rows are the inputs alone.
    const nl = this.set.nl.length > 0 ? gather(this.set.nl, rows, this.recipe.nlLength) : new Uint32Array(0);
    return { code: gather(this.set.code, rows, this.recipe.codeLength), nl, labels };
  }
}

function gather(ids: Uint32Array, rows: Uint32Array, T: number): Uint32Array {
  const out = new Uint32Array(rows.length * T);
  rows.forEach((r, i) => out.set(ids.subarray(r * T, (r + 1) * T), i * T));
  return out;
}
