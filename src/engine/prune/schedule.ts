/**
 * An iterative pruning schedule (schedule_config.ts) as one run: round 0 fine-tunes the (possibly already
 * pruned) starting weights; each further round prunes `amount` of the remaining prunable weights of the weights
 * the previous round chose, rewinds, and fine-tunes again with the pruned weights held at zero. Each round is
 * a whole training run (its own learning-rate schedule and data order) on a runtime fork whose buffers are
 * freed when it ends; its events are re-numbered onto one step axis and each round ends with a `prune-round`
 * event (the sparsity it trained at, the weights it chose and their validation score).
 */
import { ConfigError } from '../peft/fields';
import type { PeftPlan } from '../peft/plan';
import type { Runtime } from '../gpu/runtime';
import type { EncodedSet } from '../eval/retrieval';
import type { EmitEvent, PruneRoundEvent, TrainerEvent } from '../train/events';
import { metricValue } from '../train/events';
import type { TrainerConfig } from '../train/run_config';
import { runTraining, stepsPerEpoch, type TrainerControl, type TrainOutcome } from '../train/trainer';
import { fullMasks, maskWeights, PRUNABLE_SETS, type PruningMasks } from './masks';
import type { PruneSchedule } from './schedule_config';
import { pruneRound, seededUniform, sparsity, type PrunableTensor } from './select';

export interface ScheduleOptions {
  /** Masks the starting weights already carry (a pruned model folder); none: nothing pruned yet. */
  readonly masks?: PruningMasks | null;
  /** The runtime each round trains on (default: a fork of `rt`); the caller may watch its memory. */
  readonly fork?: () => Runtime;
  /** Called after each round with its result, weights and masks (the CLI writes them: the last good state). */
  readonly onRound?: (round: RoundResult) => void | Promise<void>;
}

/** A finished round: its event and the weights it chose, whole (base and method tensors; pruned entries 0). */
export interface RoundResult {
  readonly event: PruneRoundEvent;
  readonly weights: Map<string, Float32Array>;
  /** The trainable subset of `weights` (what a run's export writes). */
  readonly trained: Map<string, Float32Array>;
  readonly masks: PruningMasks;
}

export interface ScheduleOutcome {
  readonly rounds: readonly PruneRoundEvent[];
  /** The last finished round (null when stopped before round 0 finished a step). */
  readonly last: RoundResult | null;
  readonly stopped: boolean;
}

interface ScheduleData {
  readonly train: EncodedSet;
  readonly valid: EncodedSet | null;
}

const NO_CONTROL: TrainerControl = { shouldStop: () => false, gate: async () => undefined };

export async function runPruneSchedule(
  rt: Runtime,
  plan: PeftPlan,
  start: ReadonlyMap<string, Float32Array>,
  config: TrainerConfig,
  schedule: PruneSchedule,
  data: ScheduleData,
  emit: EmitEvent,
  control: TrainerControl = NO_CONTROL,
  options: ScheduleOptions = {},
): Promise<ScheduleOutcome> {
  if (!data.valid) throw new ConfigError('The pruning schedule', ['it needs a validation set: each round is measured (and its weights chosen) on it']);
  const run = new ScheduleRun(rt, plan, config, schedule, data, emit, control, options);
  return run.run(start);
}

/** Early stopping as the paper measures it: stop when a score is below both of the two before it. */
export class EarlyStop {
  private readonly scores: number[] = [];
  stopped = false;

  constructor(private readonly enabled: boolean) {}

  see(value: number | null): void {
    if (value === null) return;
    const [a, b] = [this.scores.at(-1), this.scores.at(-2)];
    if (this.enabled && a !== undefined && b !== undefined && value < a && value < b) this.stopped = true;
    this.scores.push(value);
  }
}

/** What a round's evaluations said: the last score, and the step of the best one. */
interface RoundWatch {
  lastValue: number | null;
  bestStep: number | null;
  readonly early: EarlyStop;
}

class ScheduleRun {
  private offset = 0;
  private started = 0;
  private announced = false;
  private readonly rounds: PruneRoundEvent[] = [];
  private readonly metric: string;
  private readonly perRound: number;

  constructor(
    private readonly rt: Runtime,
    private readonly plan: PeftPlan,
    private readonly config: TrainerConfig,
    private readonly schedule: PruneSchedule,
    private readonly data: ScheduleData,
    private readonly emit: EmitEvent,
    private readonly control: TrainerControl,
    private readonly options: ScheduleOptions,
  ) {
    this.metric = config.task.kind === 'classification' ? config.task.bestMetric : 'mrr';
    this.perRound = config.steps ?? Math.floor(config.epochs * stepsPerEpoch(data.train.n, config.recipe.batchSize));
  }

  async run(start: ReadonlyMap<string, Float32Array>): Promise<ScheduleOutcome> {
    this.started = performance.now();
    const masks = copyMasks(this.options.masks ?? fullMasks(start, PRUNABLE_SETS[this.schedule.prunable]));
    const uniform = seededUniform(this.config.seed);
    let weights = maskWeights(start, masks);
    let first: RoundResult | null = null;
    let last: RoundResult | null = null;
    for (let round = 0; round <= this.schedule.rounds; round++) {
      let pruned = 0;
      if (last) {
        pruned = pruneRound(tensorsOf(last.weights, masks), this.schedule, uniform);
        weights = maskWeights(this.rewindTarget(start, first, last), masks);
      }
      const result = await this.trainRound(round, weights, masks, pruned);
      if (result === null) break; // stopped before the round trained a step
      last = result;
      first ??= result;
      this.rounds.push(result.event);
      this.emit(result.event);
      await this.options.onRound?.(result);
      if (this.control.shouldStop()) break;
    }
    const stopped = this.control.shouldStop();
    const e = last?.event ?? null;
    this.emit({ type: 'done', steps: this.offset, best_step: e?.picked_step ?? null, best_mrr: this.metric === 'mrr' ? (e?.value ?? null) : null, best_metric: this.metric, best_value: e?.value ?? null, elapsed_ms: performance.now() - this.started, stopped });
    return { rounds: this.rounds, last, stopped };
  }

  private rewindTarget(start: ReadonlyMap<string, Float32Array>, first: RoundResult | null, last: RoundResult): ReadonlyMap<string, Float32Array> {
    if (this.schedule.rewind === 'none') return last.weights;
    if (this.schedule.rewind === 'first-round') return first!.weights;
    return start;
  }

  private async trainRound(round: number, weights: Map<string, Float32Array>, masks: PruningMasks, pruned: number): Promise<RoundResult | null> {
    const watch: RoundWatch = { lastValue: null, bestStep: null, early: new EarlyStop(this.schedule.earlyStop) };
    const control: TrainerControl = { shouldStop: () => this.control.shouldStop() || watch.early.stopped, gate: this.control.gate };
    const fork = this.options.fork?.() ?? this.rt.fork();
    let out: TrainOutcome;
    try {
      out = await runTraining(fork, this.plan, weights, this.config, this.data, (e) => this.forward(e, watch), control, {}, masks);
    } finally {
      fork.releaseAll();
    }
    if (out.steps === 0) return null;
    const best = this.schedule.pick === 'best' && out.best !== null;
    const trained = best ? out.best! : out.final;
    const chosen = new Map(weights);
    for (const [name, value] of trained) chosen.set(name, value);
    const pickedStep = best ? watch.bestStep : out.steps;
    const event: PruneRoundEvent = {
      type: 'prune-round',
      round,
      sparsity: sparsity(tensorsOf(weights, masks)),
      pruned,
      steps: out.steps,
      stopped_early: watch.early.stopped,
      picked_step: pickedStep === null ? null : pickedStep + this.offset,
      metric: this.metric,
      value: best ? (out.bestScore?.value ?? null) : watch.lastValue,
    };
    this.offset += out.steps;
    return { event, weights: chosen, trained, masks: copyMasks(masks) };
  }

  /** A round's event on the run's step axis: one start for the run, no per-round done. */
  private forward(e: TrainerEvent, watch: RoundWatch): void {
    const at = (step: number): number => step + this.offset;
    if (e.type === 'start') {
      if (!this.announced) this.emit({ ...e, total_steps: this.perRound * (this.schedule.rounds + 1) });
      this.announced = true;
    } else if (e.type === 'step') {
      this.emit({ ...e, step: at(e.step), elapsed_ms: performance.now() - this.started });
    } else if (e.type === 'eval') {
      const value = metricValue(e, this.metric);
      watch.lastValue = value;
      if (e.best) watch.bestStep = e.step;
      watch.early.see(value);
      this.emit({ ...e, step: at(e.step) });
    } else if (e.type === 'error') {
      this.emit({ ...e, step: e.step === null ? null : at(e.step) });
    }
  }
}

function copyMasks(masks: PruningMasks): Map<string, Uint8Array> {
  return new Map([...masks].map(([name, mask]) => [name, Uint8Array.from(mask)]));
}

/** The prunable tensors as the selection sees them: `weights`' values under the masks (which it updates). */
function tensorsOf(weights: ReadonlyMap<string, Float32Array>, masks: PruningMasks): PrunableTensor[] {
  return [...masks].map(([name, mask]) => {
    const values = weights.get(name);
    if (!values) throw new Error(`a pruning mask names "${name}", which the model does not have`);
    return { values, mask };
  });
}
