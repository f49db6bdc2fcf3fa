/**
 * `train`: fine-tune on a shard with a PEFT configuration; write metrics.jsonl, the run config, a checkpoint
 * and the weights. `--resume` continues a stopped or crashed run; Ctrl-C (or SIGTERM) finishes the step, saves
 * a checkpoint and the weights, and exits 130.
 */
import { closeSync, copyFileSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GPU_ERROR_ADVICE } from '../../engine/gpu/errors';
import { LORA_DEFAULTS } from '../../engine/peft/lora';
import type { Runtime } from '../../engine/gpu/runtime';
import { planPeft } from '../../engine/peft/plan';
import { preflight, preflightMessage } from '../../engine/plan/preflight';
import type { PeftConfig } from '../../engine/peft/types';
import { CHECKPOINT_FILE, encodeCheckpoint } from '../../engine/train/checkpoint';
import type { TrainerEvent } from '../../engine/train/events';
import { parseRunConfig, trainerConfig, type RecipeSettings, type RunConfig, type TrainerTask } from '../../engine/train/run_config';
import { metricLabel, type TaskConfig } from '../../engine/train/task';
import { ConfigError } from '../../engine/peft/fields';
import { startingWeights } from '../../engine/train/starting_weights';
import { maskWeights } from '../../engine/prune/masks';
import { MASKS_FILE } from '../../engine/prune/masks_file';
import { runFingerprint } from '../../engine/train/fingerprint';
import type { TrainState } from '../../engine/train/train_state';
import { runTraining, stepsPerEpoch, TrainingDiverged, TrainingInterrupted, type TrainOutcome } from '../../engine/train/trainer';
import { readAdapterDir, RUN_CONFIG_FILE, type AdapterDir } from '../adapter_dir';
import { FlagReader, parseFlags } from '../args';
import { CliError } from '../errors';
import { loadModelDir, type LoadedModel as ModelDir } from '../model_dir';
import { writeWeights, type WeightsTarget } from '../run_weights';
import { checkOutDir, createOutDir, writeFileAtomic } from '../out_dir';
import { readPeftConfig } from '../peft_file';
import { readMasks } from '../pruning_masks';
import { PRUNE_FLAGS, PRUNE_HELP, scheduleFromFlags } from '../prune_flags';
import { roundLine, roundsTable, writeRound } from '../schedule_output';
import { runPruneSchedule } from '../../engine/prune/schedule';
import type { PruneSchedule } from '../../engine/prune/schedule_config';
import { RECIPE_FLAGS, RECIPE_HELP, recipeFromFlags } from '../recipe_flags';
import { checkSameRun, metricsUpTo, readSavedRun, type SavedRun } from '../resume';
import { GPU_FLAGS, GPU_HELP, loadShard, runtimeFromFlags, type LoadedShard } from '../setup';
import { TrainProgress } from '../progress';
import { interruptible } from '../signals';
import { loadLabelledShard, TASK_FLAGS, TASK_HELP, taskFromFlags, trainerTask, type LabelledShard } from '../task_flags';

export const TRAIN_HELP = `npm run lab -- train --model DIR --train FILE [--valid FILE] --out DIR [options]
  Fine-tunes the model for code search (CodeXGLUE recipe) or sequence classification (--task classification) and
  writes OUT/metrics.jsonl (one JSON event per line), OUT/${RUN_CONFIG_FILE}, OUT/${CHECKPOINT_FILE} and the trained
  weights (the best weights on --valid when it is given; a classification head as RobertaForSequenceClassification's): LoRA and (IA)³ as peft adapters (adapter_config.json + adapter_model.safetensors), other modules in the
  lab's format (lab_peft.json + lab_adapter.safetensors), trained base weights as a model folder (config.json +
  model.safetensors + the tokenizer files). Files are replaced whole (written beside, then renamed).
  --config FILE       a run configuration (the dashboard's "Copy config", a run's ${RUN_CONFIG_FILE}): its task, method
                      and recipe; flags given beside it change them
  --peft-config FILE  a peft adapter_config.json or the lab's JSON (docs/PEFT_CONFIG.md); default LoRA with peft's defaults (r=${LORA_DEFAULTS.r}, alpha=${LORA_DEFAULTS.alpha}, ${LORA_DEFAULTS.targets.join(' and ')}; npm run lab -- methods lists every field)
  --init DIR          start from a saved adapter or model folder (a previous --out)
  --resume DIR        continue the run in DIR from its checkpoint (same --model, --train, --valid; its own
                      method and recipe); its losses continue as if it had never stopped
  --checkpoint-every N  save the run's state every N steps (default 200; it is also saved at every evaluation,
                      on Ctrl-C and at the end; 0: only then)
  --overwrite         replace the run already in --out (without it, an earlier run is never overwritten)
  --memory-budget G   refuse a run whose planned peak exceeds G GiB (the planner's bytes, checked before
                      anything is allocated; the GPU's buffer limits are always checked)
  Ctrl-C / SIGTERM: the current step finishes, a checkpoint and the weights are saved, exit code 130.
${TASK_HELP}
${GPU_HELP}
${RECIPE_HELP}
${PRUNE_HELP}`;

const FLAGS = {
  model: { type: 'string' },
  train: { type: 'string' },
  valid: { type: 'string' },
  out: { type: 'string' },
  'peft-config': { type: 'string' },
  init: { type: 'string' },
  resume: { type: 'string' },
  'checkpoint-every': { type: 'string' },
  overwrite: { type: 'boolean' },
  'memory-budget': { type: 'string' },
  config: { type: 'string' },
  ...TASK_FLAGS,
  ...GPU_FLAGS,
  ...RECIPE_FLAGS,
  ...PRUNE_FLAGS,
} as const;

/** What the run is: from the flags, or from the folder it continues. */
interface Setup {
  readonly out: string;
  readonly task: TaskConfig;
  readonly peft: PeftConfig;
  readonly recipe: RecipeSettings;
  readonly initPath: string | null;
  readonly init: AdapterDir | null;
  readonly saved: SavedRun | null;
  readonly pruning: PruneSchedule | null;
}

export async function train(argv: readonly string[]): Promise<void> {
  const f = new FlagReader(parseFlags(argv, FLAGS, 'train'), 'train');
  const model = loadModelDir(f.required('model'));
  const setup = f.string('resume') ? resumed(f, model) : fresh(f, model);
  const protect = [{ flag: 'model', dir: model.dir }, ...(setup.initPath ? [{ flag: 'init', dir: setup.initPath }] : [])];
  checkOutDir(setup.out, { protect, resume: setup.saved !== null, overwrite: f.bool('overwrite') });
  const every = f.number('checkpoint-every', 200, 0, 1e9, true);
  const { recipe, peft } = setup;
  const { data, task, classNames } = await loadData(f, model, setup);
  if (stepsPerEpoch(data.train.n, recipe.batchSize) < 1) throw new CliError(`--train has ${data.train.n} usable ${setup.task.kind === 'code-search' ? 'pairs' : 'examples'}, fewer than one batch of ${recipe.batchSize}: lower --batch-size or add data`);
  const fingerprint = runFingerprint(model.config, peft, recipe, setup.initPath === null ? null : resolve(setup.initPath), data, setup.task);
  if (setup.saved) checkSameRun(setup.saved, fingerprint);
  const plan = planPeft(model.config, peft, classNames?.length ?? null);
  const weightsOut: WeightsTarget = { out: setup.out, model, plan, base: new Map(), classNames };
  const adapter = setup.init?.adapter ? { tensors: setup.init.adapter.tensors, name: `--init ${setup.initPath}` } : null;
  const pruning = readMasks(model);
  const start = startingWeights(plan, { base: model.weights, trained: setup.init?.baseWeights, adapter }, recipe.seed);
  process.stderr.write(`lab: ${start.report.text}${setup.saved ? `, then the checkpoint at step ${setup.saved.checkpoint.state.step}` : ''}\n`);
  const rt = await runtimeFromFlags(f); // a bad --matmul-tuning fails here, before the folder is touched
  try {
    await checkFits(rt, model, setup, data.valid?.n ?? 0, f.string('memory-budget') === undefined ? null : f.number('memory-budget', 0, 1e-6, 1e6) * 2 ** 30, classNames?.length ?? null);
    createOutDir(setup.out);
    // The masks go with the run's weights, so the next round (lab prune --model OUT) continues from them.
    if (pruning && !setup.pruning) copyFileSync(join(model.dir, MASKS_FILE), join(setup.out, MASKS_FILE));
    const metrics = openMetrics(setup, model, f.required('train'), classNames);
    weightsOut.base = start.values;
    const save = async (state: TrainState): Promise<void> => writeFileAtomic(join(setup.out, CHECKPOINT_FILE), encodeCheckpoint({ state, fingerprint }));
    const stop = interruptible();
    const progress = stderrProgress();
    const report = reporter(progress);
    let result: TrainOutcome;
    try {
      const control = { shouldStop: stop.requested, gate: async () => undefined };
      const persistence = { resume: setup.saved?.checkpoint.state ?? null, checkpoint: { every, save } };
      const emit = (e: TrainerEvent): void => (writeSync(metrics, `${JSON.stringify(e)}\n`), report(e));
      if (setup.pruning) {
        const rounds = await runPruneSchedule(rt, plan, start.values, trainerConfig(recipe, peft, task), setup.pruning, data, emit, control, { masks: pruning, onRound: (r) => writeRound(weightsOut, r, setup.pruning!) });
        progress.end();
        process.stdout.write(roundsTable(rounds.rounds));
        if (stop.requested()) throw new CliError(`stopped after ${rounds.rounds.length} round(s); the last finished round's weights and masks are in ${setup.out}`, 130);
        return;
      }
      const initial = pruning ? maskWeights(start.values, pruning) : start.values;
      result = await runTraining(rt, plan, initial, trainerConfig(recipe, peft, task), data, emit, control, persistence, pruning);
    } catch (error) {
      const best = error instanceof TrainingDiverged || error instanceof TrainingInterrupted ? error.best : null;
      if (best) writeWeights(weightsOut, new Map(best.weights), `the best weights so far (step ${best.step}, ${metricLabel(best.metric)} ${best.value.toFixed(4)})`);
      if (error instanceof TrainingInterrupted) throw interrupted(error, setup.out, continueCommand(f, setup.out));
      throw error;
    } finally {
      progress.end();
      stop.dispose();
      closeSync(metrics);
    }
    writeWeights(weightsOut, result.best ?? result.final, result.bestScore ? `the best-${metricLabel(result.bestScore.metric)} weights` : 'the final weights');
    if (stop.requested()) throw new CliError(`stopped at step ${result.steps}; the checkpoint and the weights are in ${setup.out}. Continue with: ${continueCommand(f, setup.out)}`, 130);
  } finally {
    rt.destroy();
  }
}

function continueCommand(f: FlagReader, out: string): string {
  return `npm run lab -- train --model ${f.required('model')} --train ${f.required('train')}${f.string('valid') ? ` --valid ${f.string('valid')}` : ''} --resume ${out}`;
}

/** The GPU ended the run (exit 75, "try again"): what happened, what was kept, and the command that continues. */
function interrupted(error: TrainingInterrupted, out: string, again: string): CliError {
  const kept = error.checkpointStep === null ? 'no checkpoint was written yet: start the run again' : `the checkpoint at step ${error.checkpointStep} is in ${out}. Continue (on a new device) with: ${again}`;
  return new CliError(`the GPU stopped the run: ${error.gpuError.message}. ${GPU_ERROR_ADVICE[error.gpuError.kind]} Nothing after the last checkpoint was saved; ${kept}`, 75);
}

/** Pre-flight: the planner's bytes against the device's buffer limits and the budget, before allocating. */
async function checkFits(rt: Runtime, model: ModelDir, setup: Setup, evalExamples: number, budget: number | null, classes: number | null): Promise<void> {
  const { maxStorageBufferBindingSize, maxBufferSize } = rt.device.limits;
  const p = await preflight(model.config, setup.peft, setup.recipe, { maxStorageBufferBindingSize, maxBufferSize, budget }, evalExamples, classes);
  if (p.problems.length > 0) throw new CliError(preflightMessage(p, setup.recipe, { batch: '--batch-size', code: '--code-length', nl: '--nl-length' }));
}

function fresh(f: FlagReader, model: ModelDir): Setup {
  const initPath = f.string('init') ?? null;
  const init = initPath ? readAdapterDir(initPath, 'init', model.config) : null;
  const given = readRunConfigFile(f.string('config'), model);
  if ([init?.adapter, f.string('peft-config'), given].filter((x) => x).length > 1) throw new CliError('give one of --config, --peft-config or --init with an adapter: each brings its method');
  const peft = init?.adapter?.peft ?? given?.peft ?? readPeftConfig(f.string('peft-config'), model.config);
  const task = taskFromFlags(f, given?.task ?? init?.task ?? null);
  const recipe = recipeFromFlags(f, model.config, given?.recipe ?? init?.recipe ?? undefined);
  return { out: f.required('out'), task, peft, recipe, initPath, init, saved: null, pruning: scheduleFromFlags(f, given?.pruning ?? null, recipe.evalEvery) };
}

/** --config: a run configuration as the dashboard copies it or a run's config.json (its model and dataset are ignored). */
function readRunConfigFile(path: string | undefined, model: ModelDir): RunConfig | null {
  if (path === undefined) return null;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    throw new CliError(`--config ${path} cannot be read as JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  try {
    return parseRunConfig({ model: model.name, dataset: '', ...(json as object), }, model.config);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(`--config ${path}: ${error.problems.join('; ')}`);
    throw error;
  }
}

/** The training and validation sets, tokenized for the task; a classification run's classes with them. */
async function loadData(f: FlagReader, model: ModelDir, setup: Setup): Promise<{ data: { train: LoadedShard | LabelledShard; valid: LoadedShard | LabelledShard | null }; task: TrainerTask; classNames: readonly string[] | null }> {
  const { recipe, task } = setup;
  if (task.kind === 'code-search') {
    return { data: { train: await loadShard(f.required('train'), 'train', model.tokenizer, recipe.codeLength, recipe.nlLength), valid: await optionalShard(f, model, recipe) }, task, classNames: null };
  }
  const train = await loadLabelledShard(f.required('train'), 'train', model.tokenizer, task, recipe.codeLength, null);
  const validPath = f.string('valid');
  const valid = validPath ? await loadLabelledShard(validPath, 'valid', model.tokenizer, task, recipe.codeLength, train.classes) : null;
  process.stderr.write(`lab: ${train.classes.length} classes: ${train.classes.map((c, i) => `${JSON.stringify(c)} ×${train.counts[i]}`).join(', ')}${train.truncated > 0 ? `; ${train.truncated} input(s) cut at ${recipe.codeLength} tokens` : ''}\n`);
  return { data: { train, valid }, task: trainerTask(task, train), classNames: train.classes };
}

function resumed(f: FlagReader, model: ModelDir): Setup {
  const dir = f.required('resume');
  if (f.string('peft-config') || f.string('init')) throw new CliError('--resume continues a run with its own method and starting point: leave out --peft-config and --init');
  const out = f.string('out') ?? dir;
  if (out !== dir) throw new CliError(`--resume writes into the run's own folder ${dir}: leave out --out (or give the same folder)`);
  const saved = readSavedRun(dir, model.config);
  const recipe = recipeFromFlags(f, model.config, saved.recipe);
  if (JSON.stringify(recipe) !== JSON.stringify(saved.recipe)) throw new CliError(`--resume keeps the run's recipe (${RUN_CONFIG_FILE}); leave out the recipe flags that change it, or start a new run`);
  const init = saved.init ? readAdapterDir(saved.init, 'init', model.config) : null;
  if (JSON.stringify(taskFromFlags(f, saved.task)) !== JSON.stringify(saved.task)) throw new CliError(`--resume keeps the run's task (${RUN_CONFIG_FILE}); leave out the task flags that change it, or start a new run`);
  return { out: dir, task: saved.task, peft: saved.peft, recipe, initPath: saved.init, init, saved, pruning: null };
}

async function optionalShard(f: FlagReader, model: ModelDir, recipe: RecipeSettings): Promise<LoadedShard | null> {
  const path = f.string('valid');
  return path ? loadShard(path, 'valid', model.tokenizer, recipe.codeLength, recipe.nlLength) : null;
}

/** A new run writes its config and starts metrics.jsonl; a resumed one keeps its events up to the checkpoint. */
function openMetrics(setup: Setup, model: ModelDir, dataset: string, classNames: readonly string[] | null): number {
  const path = join(setup.out, 'metrics.jsonl');
  if (setup.saved) {
    writeFileAtomic(path, metricsUpTo(existsSync(path) ? readFileSync(path, 'utf8') : '', setup.saved.checkpoint.state.step, setup.recipe.evalEvery));
  } else {
    // The classes are written as found, so a resumed run, an --init and the export map labels the same way.
    const task = setup.task.kind === 'classification' && classNames ? { ...setup.task, classes: classNames } : setup.task;
    const run: RunConfig = { model: model.name, dataset, task, peft: setup.peft, recipe: setup.recipe, ...(setup.pruning ? { pruning: setup.pruning } : {}) };
    writeFileAtomic(join(setup.out, RUN_CONFIG_FILE), `${JSON.stringify(run, null, 2)}\n`);
    writeFileAtomic(path, '');
  }
  return openSync(path, 'a');
}

/**
 * Progress on stderr: a bar on a terminal, lines otherwise (progress.ts); an error event is not printed here (the
 * CLI prints the error it ends with, once).
 */
function reporter(progress: TrainProgress): (e: TrainerEvent) => void {
  return (e) => {
    if (e.type === 'start') {
      progress.start(e.total_steps, e.resumed_from ?? 0);
      progress.line(`lab: ${e.examples} examples, ${e.total_steps} steps${e.resumed_from ? ` (continuing after step ${e.resumed_from})` : ''}, ${e.trainable.exact.toLocaleString('en-US')} trainable parameters (${e.trainable.percentExact.toFixed(2)}%)`);
    } else if (e.type === 'step') progress.step(e);
    else if (e.type === 'eval' && e.task === 'classification') {
      progress.line(`eval @ ${e.step}  acc ${e.accuracy.toFixed(4)}  P ${e.precision.toFixed(3)}  R ${e.recall.toFixed(3)}  F1 ${e.f1.toFixed(3)}  macro-F1 ${e.macro_f1.toFixed(3)}  AUC ${e.auc === null ? '—' : e.auc.toFixed(3)}${e.best ? '  (best)' : ''}`);
    } else if (e.type === 'eval') progress.line(`eval @ ${e.step}  MRR ${e.mrr.toFixed(4)}  R@1 ${e.recall_1.toFixed(3)}  R@5 ${e.recall_5.toFixed(3)}  R@10 ${e.recall_10.toFixed(3)}${e.best ? '  (best)' : ''}`);
    else if (e.type === 'prune-round') progress.line(roundLine(e));
    else if (e.type === 'done') progress.end();
  };
}

/** stderr as the progress sees it: its own text only (no user data), so the bar may use \r on a terminal. */
function stderrProgress(): TrainProgress {
  const tty = process.stderr.isTTY === true;
  return new TrainProgress({ isTTY: tty, columns: process.stderr.columns ?? 80, write: (text) => (tty ? writeSync(2, text) : process.stderr.write(text)) });
}

