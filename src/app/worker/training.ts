/**
 * Runs in the Worker: one at a time, each on a GPU device of its own that is destroyed when the run ends, so
 * a run's buffers are all returned (the engine keeps a model's buffers for its lifetime) and its peak memory
 * is the device arena's peak. The trained weights of the last runs stay here for the export buttons.
 */
import { acquireDevice } from '../../engine/gpu/device';
import { Runtime } from '../../engine/gpu/runtime';
import { exportMerged, exportSentenceTransformers, exportTrained } from '../../engine/io/export';
import type { EncoderConfig } from '../../engine/model/config';
import { ConfigError } from '../../engine/peft/fields';
import { planPeft, type PeftPlan } from '../../engine/peft/plan';
import { preflight, preflightMessage } from '../../engine/plan/preflight';
import { applyMatmulTuning } from '../../engine/tune/matmul_tune';
import type { TrainerEvent } from '../../engine/train/events';
import { parseRunConfig, trainerConfig, type RecipeSettings, type RunConfig, type TrainerTask } from '../../engine/train/run_config';
import { runFingerprint } from '../../engine/train/fingerprint';
import { runTraining, type TrainerControl } from '../../engine/train/trainer';
import { runPruneSchedule } from '../../engine/prune/schedule';
import { maskWeights, type PruningMasks } from '../../engine/prune/masks';
import { encodeMasks, MASKS_FILE } from '../../engine/prune/masks_file';
import type { RunFailure } from '../lib/run_types';
import { adapterFor, weightsToStart, type LoadedAdapter } from './adapter_import';
import { EventBatcher } from './coalesce';
import { toFailure } from './failure';
import { ModelFilesError, type LoadedModel } from './model_files';
import type { ExportedFile, ExportFormat, MemoryUse, RunAction, WorkerRequest, WorkerResponse } from './protocol';
import { browserCheckpoints, stateToResume } from './run_checkpoint';
import { prepareLabelledData, type LabelledRunData } from './labelled_data';
import { prepareRunData, type RunData, type ShardEntry } from './shards';
import { forgetCheckpoint } from './workspace_files';

type StartRequest = Extract<WorkerRequest, { type: 'start' }>;

export interface TrainContext {
  readonly gpu: GPU | undefined;
  readonly model: LoadedModel | null;
  readonly shards: ReadonlyMap<string, ShardEntry>;
  readonly adapter: LoadedAdapter | null;
  readonly post: (message: WorkerResponse, transfer?: Transferable[]) => void;
}

/** Pause, resume and stop between steps (a GPU error the runtime reports ends the loop in the trainer). */
class RunControl implements TrainerControl {
  private paused = false;
  private stopped = false;
  private wake: (() => void) | null = null;

  /** `onPaused`: called when the loop actually stops at the gate (a step in flight finishes first). */
  constructor(private readonly onPaused: () => void) {}

  readonly shouldStop = (): boolean => this.stopped;

  readonly gate = (): Promise<void> => {
    if (!this.paused) return Promise.resolve();
    this.onPaused();
    return new Promise((resolve) => (this.wake = resolve));
  };

  apply(action: RunAction): void {
    this.paused = action === 'pause';
    if (action === 'stop') this.stopped = true;
    if (action !== 'pause') {
      this.wake?.();
      this.wake = null;
    }
  }
}

interface Outcome {
  readonly plan: PeftPlan;
  readonly recipe: RecipeSettings;
  readonly final: Map<string, Float32Array>;
  readonly best: Map<string, Float32Array> | null;
  readonly model: LoadedModel;
  /** A classification run's class names (the export's id2label). */
  readonly classNames: readonly string[] | null;
  /** A pruned run's weights with its zeros (else the model's own). */
  readonly base?: Map<string, Float32Array>;
  /** Its pruning masks, exported beside the weights. */
  readonly masks?: PruningMasks;
}

/** Trained weights kept for export: the most recent runs only (a full fine-tune holds a whole model). */
const KEEP_OUTCOMES = 2;

export class Trainer {
  private active: { readonly runId: string; readonly control: RunControl } | null = null;
  private readonly outcomes = new Map<string, Outcome>();

  /** A run holds the GPU: an evaluation waits for it to end. */
  get busy(): boolean {
    return this.active !== null;
  }

  /** The model a run trained and its best (else final) weights, whole, while this session keeps them. */
  runWeights(runId: string): { model: LoadedModel; plan: PeftPlan; values: Map<string, Float32Array>; recipe: RecipeSettings } | null {
    const outcome = this.outcomes.get(runId);
    if (!outcome) return null;
    const values = outcome.base ? new Map(outcome.base) : weightsToStart(outcome.model, outcome.plan, outcome.recipe.seed, null);
    for (const [name, value] of outcome.best ?? outcome.final) values.set(name, value);
    return { model: outcome.model, plan: outcome.plan, values, recipe: outcome.recipe };
  }

  control(runId: string, action: RunAction): void {
    if (this.active?.runId === runId) this.active.control.apply(action);
  }

  async start(request: StartRequest, ctx: TrainContext): Promise<void> {
    const { runId } = request;
    if (this.active) {
      const failure: RunFailure = { kind: 'config', message: 'Another run is still training.', advice: 'Stop it first, or queue this one.' };
      ctx.post({ type: 'run-ended', runId, failure, memory: { live: 0, peak: 0 } });
      return;
    }
    let rt: Runtime | null = null;
    let memory = (): MemoryUse => ({ live: rt?.arena.bytesLive ?? 0, peak: rt?.arena.bytesPeak ?? 0 });
    const batcher = new EventBatcher((events: TrainerEvent[]) => ctx.post({ type: 'run-events', runId, events, memory: memory() }));
    // The steps before the pause reach the page before the pause does.
    const control = new RunControl(() => {
      batcher.flush();
      ctx.post({ type: 'run-paused', runId });
    });
    this.active = { runId, control };
    let failure: RunFailure | null = null;
    let peak: MemoryUse = { live: 0, peak: 0 };
    try {
      const model = ctx.model;
      if (!model) throw new ModelFilesError('No model is loaded: use the demo model or drop a model folder first.');
      const config = parseRunConfig(request.config, model.config);
      const { data, task, classNames } = await runData(request, ctx, model, config);
      const fingerprint = runFingerprint(model.config, config.peft, config.recipe, request.fromAdapter, data, config.task);
      const resume = request.resume ? await stateToResume(runId, fingerprint) : null;
      ctx.post({ type: 'run-prepared', runId, train: data.train.n, valid: data.valid?.n ?? 0, ...(classNames ? { classes: [...classNames] } : {}) });
      // A device of the run's own: after a lost one, "Resume" gets a new device here.
      const device = new Runtime(await acquireDevice(ctx.gpu));
      rt = device;
      applyMatmulTuning(device, request.matmulTuning);
      await checkFits(device, model.config, config, data.valid?.n ?? 0, request.memoryBudget, classNames?.length ?? null);
      const plan = planPeft(model.config, config.peft, classNames?.length ?? null);
      const initial = weightsToStart(model, plan, config.recipe.seed, adapterFor(request.fromAdapter, ctx.adapter));
      const trainer = trainerConfig(config.recipe, config.peft, task);
      if (config.pruning) {
        // Each round trains on a fork of the run's device; the run's memory is the largest round's.
        const rounds = new RoundMemory(device);
        memory = () => rounds.use();
        const out = await runPruneSchedule(device, plan, initial, trainer, config.pruning, data, (e) => batcher.push(e), control, { fork: () => rounds.fork(), masks: model.masks });
        if (out.last) this.remember(runId, { plan, recipe: config.recipe, final: out.last.trained, best: null, model, classNames, base: out.last.weights, masks: out.last.masks });
      } else {
        // A pruned model (its masks beside the weights) trains with its zeros kept, whatever the method.
        const persistence = { resume, checkpoint: browserCheckpoints(runId, fingerprint, request.checkpointEvery, ctx.post) };
        const pruned = model.masks ? maskWeights(initial, model.masks) : initial;
        const out = await runTraining(device, plan, pruned, trainer, data, (e) => batcher.push(e), control, persistence, model.masks);
        this.remember(runId, { plan, recipe: config.recipe, final: out.final, best: out.best, model, classNames, ...(model.masks ? { base: maskWeights(weightsToStart(model, plan, config.recipe.seed, null), model.masks), masks: model.masks } : {}) });
      }
      // A finished run is not resumed: its checkpoint would only take space (a stopped one keeps it).
      if (!control.shouldStop()) await forgetCheckpoint(runId);
    } catch (error) {
      failure = toFailure(error);
    } finally {
      batcher.flush();
      peak = memory();
      this.active = null;
      // The "device lost" this reports arrives after the failure is decided, so it is not taken for one.
      rt?.destroy();
    }
    ctx.post({ type: 'run-ended', runId, failure, memory: peak });
  }

  private remember(runId: string, outcome: Outcome): void {
    this.outcomes.set(runId, outcome);
    for (const key of this.outcomes.keys()) if (this.outcomes.size > KEEP_OUTCOMES) this.outcomes.delete(key);
  }

  /**
   * The run's trained weights as files: its own formats (peft LoRA or prefix, the lab's adapter format, a model
   * folder), or a whole model folder with LoRA merged in, or a sentence-transformers folder (with the tokenizer).
   */
  exportFiles(runId: string, which: 'best' | 'final', format: ExportFormat): ExportedFile[] {
    const outcome = this.outcomes.get(runId);
    if (!outcome) throw new Error('The weights of this run are no longer in memory (only the last two runs of this session are kept): train it again to export.');
    const trained = which === 'best' ? (outcome.best ?? outcome.final) : outcome.final;
    const { model, recipe } = outcome;
    const input = { plan: outcome.plan, trained, base: outcome.base ?? model.weights, baseModel: model.info.name, hfConfig: model.hfConfig, ...(outcome.classNames ? { classNames: outcome.classNames } : {}) };
    const files =
      format === 'weights'
        ? exportTrained(input)
        : format === 'merged'
          ? exportMerged(input)
          : exportSentenceTransformers(input, { pooling: recipe.pooling, normalize: recipe.normalize, maxSeqLength: recipe.codeLength });
    if (format !== 'weights') for (const [name, bytes] of model.tokenizerFiles) files.set(name, bytes);
    if (outcome.masks) files.set(MASKS_FILE, encodeMasks(outcome.masks, new Map(outcome.plan.base.map((s) => [s.name, s.shape])), { round: 'trained in the lab' }));
    return [...files].map(([name, bytes]) => ({ name, bytes: bytes.slice() }));
  }
}

/** A pruning schedule's rounds, each on a fork of the run's device: the live round's bytes, the largest peak. */
class RoundMemory {
  private current: Runtime | null = null;
  private peak = 0;

  constructor(private readonly device: Runtime) {}

  fork(): Runtime {
    if (this.current) this.peak = Math.max(this.peak, this.current.arena.bytesPeak);
    this.current = this.device.fork();
    return this.current;
  }

  use(): MemoryUse {
    const round = this.current?.arena;
    return { live: this.device.arena.bytesLive + (round?.bytesLive ?? 0), peak: this.device.arena.bytesPeak + Math.max(this.peak, round?.bytesPeak ?? 0) };
  }
}

/** The run's data for its task: code/query pairs, or a classification set with its classes. */
async function runData(request: StartRequest, ctx: TrainContext, model: LoadedModel, config: RunConfig): Promise<{ data: RunData | LabelledRunData; task: TrainerTask; classNames: readonly string[] | null }> {
  if (config.task.kind === 'code-search') return { data: prepareRunData(request.data, ctx.shards, model.tokenizer, config.recipe), task: config.task, classNames: null };
  const data = await prepareLabelledData(request.data, ctx.shards, model.tokenizer, config.recipe, config.task);
  return { data, task: data.task, classNames: data.classes };
}

/** Pre-flight: a run whose planned buffers exceed this GPU's limits (or the user's budget) is refused before anything is allocated. */
async function checkFits(device: Runtime, model: EncoderConfig, config: RunConfig, evalExamples: number, budget: number | null, classes: number | null): Promise<void> {
  const { maxStorageBufferBindingSize, maxBufferSize } = device.device.limits;
  const p = await preflight(model, config.peft, config.recipe, { maxStorageBufferBindingSize, maxBufferSize, budget }, evalExamples, classes);
  if (p.problems.length > 0) throw new ConfigError('The run', [preflightMessage(p, config.recipe, { batch: 'batch size', code: 'code length', nl: 'query length' })]);
}
