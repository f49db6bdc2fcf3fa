/**
 * The training loop of the CodeXGLUE code-search recipe: seeded epoch permutations (or file order), batches
 * of B (the last partial batch of an epoch is dropped), linear warmup/decay, evaluation every N steps with
 * the best-MRR weights kept, typed events throughout. A NaN/Inf loss stops the run with an error event.
 */
import { shuffleIndices } from '../data/split';
import { ConfigError } from '../peft/fields';
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
  const total = config.steps ?? config.epochs * perEpoch;
  const tm = buildModel(rt, plan, config, 'train');
  tm.weights.load(initial);
  const resume = persistence.resume ?? null;
  if (resume) tm.restoreState(resume);
  emit({ type: 'start', total_steps: total, steps_per_epoch: perEpoch, examples: data.train.n, trainable: trainableSummary(tm.plan), ...(resume ? { resumed_from: resume.step } : {}) });
  const batches = new Batcher(data.train, B, config.seed, config.shuffle, config.recipe);
  const started = performance.now();
  let best: BestSoFar | null = resume?.best ?? null;
  const save = async (step: number): Promise<void> => {
    if (persistence.checkpoint) await persistence.checkpoint.save({ step, ...(await tm.readState()), best });
  };
  let evaluatedAt = resume?.best?.step ?? -1;
  const evaluate = async (step: number): Promise<void> => {
    if (!data.valid || evaluatedAt === step) return; // a run stopped right after an evaluation is not evaluated twice
    evaluatedAt = step;
    const { metrics } = await evaluateRetrieval(rt, tm, data.valid, config.evalBatchSize);
    const isBest = !best || metrics.mrr > best.metrics.mrr;
    if (isBest) best = { step, metrics, weights: await tm.weights.readTrainable() };
    emit({ type: 'eval', step, mrr: metrics.mrr, recall_1: metrics.recall1, recall_5: metrics.recall5, recall_10: metrics.recall10, n: metrics.n, best: isBest });
  };
  const every = persistence.checkpoint?.every ?? 0;
  let step = resume?.step ?? 0;
  let stopped = false;
  for (; step < total; step++) {
    await control.gate();
    if (control.shouldStop()) {
      stopped = true;
      await save(step); // first: a second interrupt during the final evaluation still finds it
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
      throw new TrainingDiverged(message, best);
    }
    const dt = (performance.now() - t0) / 1000;
    const tokens = B * (config.recipe.codeLength + config.recipe.nlLength);
    emit({ type: 'step', step: step + 1, loss: r.loss, lr, grad_norm: r.gradNorm, tokens_per_s: tokens / Math.max(dt, 1e-9), elapsed_ms: performance.now() - started });
    const evaluates = config.evalEvery > 0 && (step + 1) % config.evalEvery === 0 && step + 1 < total;
    if (evaluates) await evaluate(step + 1);
    if (evaluates || (every > 0 && (step + 1) % every === 0)) await save(step + 1);
  }
  if (step > 0) await evaluate(step);
  if (!stopped) await save(step);
  const final = await tm.weights.readTrainable();
  const b = best as BestSoFar | null;
  emit({ type: 'done', steps: step, best_step: b?.step ?? null, best_mrr: b?.metrics.mrr ?? null, elapsed_ms: performance.now() - started, stopped });
  return { model: tm, final, best: b ? new Map(b.weights) : null, bestMetrics: b?.metrics ?? null, steps: step };
}

function trainableSummary(p: PeftPlan): TrainableSummary {
  return { exact: p.exactTrainable, paper: p.paperTrainable, base: p.baseTotal, percentExact: percentOf(p.exactTrainable, p.baseTotal), percentPaper: percentOf(p.paperTrainable, p.baseTotal) };
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
