/**
 * The training loop of the CodeXGLUE code-search recipe: seeded epoch permutations (or file order), batches
 * of B (the last partial batch of an epoch is dropped), linear warmup/decay, evaluation every N steps with
 * the best-MRR weights kept, typed events throughout. A NaN/Inf loss stops the run with an error event; a GPU
 * failure (lost device, out of memory) ends it as TrainingInterrupted with the last checkpoint untouched.
 */
import { shuffleIndices } from '../data/split';
import { ConfigError } from '../peft/fields';
import { GpuError } from '../gpu/errors';
import type { Runtime } from '../gpu/runtime';
import { evaluateRetrieval, type EncodedSet, type RetrievalMetrics } from '../eval/retrieval';
import { percentOf, type PeftPlan } from '../peft/plan';
import type { EmitEvent, TrainableSummary } from './events';
import type { BestSoFar, CheckpointPolicy, TrainState } from './train_state';
import { linearWarmupFactor } from './schedule';
import { buildModel } from './build_model';
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
  readonly bestMetrics: RetrievalMetrics | null;
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
): Promise<TrainOutcome> {
  const B = config.recipe.batchSize;
  const perEpoch = stepsPerEpoch(data.train.n, B);
  if (perEpoch < 1) throw new ConfigError('The recipe', [`the training set has ${data.train.n} examples, fewer than one batch of ${B}: lower the batch size or add data`]);
  // An error the device reports outside any step (lost, or an uncaptured error) ends the run at the next gate.
  let failure: GpuError | null = null;
  const off = rt.on((e) => (failure ??= e.type === 'device-lost' ? new GpuError('device-lost', e.message) : e.error));
  const loop = new TrainingLoop(rt, plan, initial, config, data, emit, persistence);
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

  async run(control: TrainerControl, failure: () => GpuError | null): Promise<TrainOutcome> {
    const { config, data, emit, tm, total } = this;
    const B = config.recipe.batchSize;
    const resume = this.persistence.resume ?? null;
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
      const { code, nl } = batches.batch(step);
      const lr = config.lr * linearWarmupFactor(step, config.warmupSteps, total);
      const r = await tm.step(code, nl, step, lr);
      if (!Number.isFinite(r.loss) || !Number.isFinite(r.gradNorm)) {
        const message = `the loss became ${r.loss} (gradient norm ${r.gradNorm}) at step ${step + 1}: the run diverged. Lower the learning rate (now ${config.lr}), keep gradient clipping on, or check the data.`;
        emit({ type: 'error', message, step: step + 1 });
        // The diverged values are not saved: the last checkpoint and the best weights stay what they were.
        throw new TrainingDiverged(message, this.best);
      }
      const dt = (performance.now() - t0) / 1000;
      const tokens = B * (config.recipe.codeLength + config.recipe.nlLength);
      emit({ type: 'step', step: step + 1, loss: r.loss, lr, grad_norm: r.gradNorm, tokens_per_s: tokens / Math.max(dt, 1e-9), elapsed_ms: performance.now() - started });
      const evaluates = config.evalEvery > 0 && (step + 1) % config.evalEvery === 0 && step + 1 < total;
      if (evaluates) await this.evaluate(step + 1);
      if (evaluates || (every > 0 && (step + 1) % every === 0)) await this.save(step + 1);
    }
    if (step > 0) await this.evaluate(step);
    if (!stopped) await this.save(step);
    const final = await tm.weights.readTrainable();
    const b = this.best;
    emit({ type: 'done', steps: step, best_step: b?.step ?? null, best_mrr: b?.metrics.mrr ?? null, elapsed_ms: performance.now() - started, stopped });
    return { model: tm, final, best: b ? new Map(b.weights) : null, bestMetrics: b?.metrics ?? null, steps: step };
  }

  private async save(step: number): Promise<void> {
    const checkpoint = this.persistence.checkpoint;
    if (!checkpoint) return;
    await checkpoint.save({ step, ...(await this.tm.readState()), best: this.best });
    this.savedStep = step;
  }

  private async evaluate(step: number): Promise<void> {
    if (!this.data.valid || this.evaluatedAt === step) return; // a run stopped right after an evaluation is not evaluated twice
    this.evaluatedAt = step;
    const { metrics } = await evaluateRetrieval(this.rt, this.tm, this.data.valid, this.config.evalBatchSize);
    const isBest = !this.best || metrics.mrr > this.best.metrics.mrr;
    if (isBest) this.best = { step, metrics, weights: await this.tm.weights.readTrainable() };
    this.emit({ type: 'eval', step, mrr: metrics.mrr, recall_1: metrics.recall1, recall_5: metrics.recall5, recall_10: metrics.recall10, n: metrics.n, best: isBest });
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

  batch(step: number): { code: Uint32Array; nl: Uint32Array } {
    const perEpoch = stepsPerEpoch(this.set.n, this.B);
    const epoch = Math.floor(step / perEpoch);
    if (epoch !== this.epoch) {
      this.order = this.shuffle ? shuffleIndices(this.set.n, this.seed, epoch) : Uint32Array.from({ length: this.set.n }, (_, i) => i);
      this.epoch = epoch;
    }
    const start = (step % perEpoch) * this.B;
    const rows = this.order!.subarray(start, start + this.B);
    return { code: gather(this.set.code, rows, this.recipe.codeLength), nl: gather(this.set.nl, rows, this.recipe.nlLength) };
  }
}

function gather(ids: Uint32Array, rows: Uint32Array, T: number): Uint32Array {
  const out = new Uint32Array(rows.length * T);
  rows.forEach((r, i) => out.set(ids.subarray(r * T, (r + 1) * T), i * T));
  return out;
}
