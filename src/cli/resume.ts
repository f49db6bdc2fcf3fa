/**
 * `train --resume DIR`: the run in DIR continues from its checkpoint with its own method, recipe and starting
 * point; what must not change (the model's shape, the method, the recipe, the data) is compared with the
 * checkpoint's fingerprint and any difference is named. Its metrics.jsonl is cut back to the checkpoint's step,
 * so the continued run's events follow on without duplicates.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EncoderConfig } from '../engine/model/config';
import { ConfigError } from '../engine/peft/fields';
import { parsePeftConfig } from '../engine/peft/parse';
import type { PeftConfig } from '../engine/peft/types';
import { CHECKPOINT_FILE, CheckpointError, decodeCheckpoint, fingerprintDifferences, type Checkpoint, type RunFingerprint } from '../engine/train/checkpoint';
import { keptOnResume } from '../engine/train/events';
import { parseRecipe, type RecipeSettings } from '../engine/train/run_config';
import { readTask, type TaskConfig } from '../engine/train/task';
import { RUN_CONFIG_FILE } from './adapter_dir';
import { CliError } from './errors';

export interface SavedRun {
  readonly dir: string;
  readonly task: TaskConfig;
  readonly peft: PeftConfig;
  readonly recipe: RecipeSettings;
  readonly checkpoint: Checkpoint;
  /** The --init folder the run started from (its base weights are still the frozen ones). */
  readonly init: string | null;
}

export function readSavedRun(dir: string, model: EncoderConfig): SavedRun {
  const config = join(dir, RUN_CONFIG_FILE);
  const ckpt = join(dir, CHECKPOINT_FILE);
  if (!existsSync(config)) throw new CliError(`--resume ${dir} holds no ${RUN_CONFIG_FILE}: it is not a lab run folder`);
  if (isSchedule(config)) throw new CliError(`--resume ${dir}: it is a pruning schedule's run, which does not continue from a checkpoint; ${dir} holds its last finished round's weights and masks: run the schedule again (from them, or from the start)`);
  if (!existsSync(ckpt)) throw new CliError(`--resume ${dir} holds no ${CHECKPOINT_FILE}: the run saved no checkpoint (runs of this version save one at each evaluation and every --checkpoint-every steps)`);
  try {
    const run = JSON.parse(readFileSync(config, 'utf8')) as { task?: unknown; peft?: unknown; recipe?: unknown };
    const checkpoint = decodeCheckpoint(new Uint8Array(readFileSync(ckpt)), ckpt);
    const init = checkpoint.fingerprint.init;
    const problems: string[] = [];
    const task = readTask(run.task, 'task', problems);
    if (problems.length > 0) throw new ConfigError('The run configuration', problems);
    return { dir, task, peft: parsePeftConfig(run.peft, model), recipe: parseRecipe(run.recipe ?? {}, model), checkpoint, init: typeof init === 'string' ? init : null };
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(`--resume ${dir}: ${error.problems.join('; ')}`);
    if (error instanceof CheckpointError || error instanceof SyntaxError) throw new CliError(`--resume ${dir}: ${error.message}`);
    throw error;
  }
}

function isSchedule(configPath: string): boolean {
  try {
    return Boolean((JSON.parse(readFileSync(configPath, 'utf8')) as { pruning?: unknown }).pruning);
  } catch {
    return false; // read again below, where a broken file gets its message
  }
}

export function checkSameRun(saved: SavedRun, now: RunFingerprint): void {
  const diffs = fingerprintDifferences(saved.checkpoint.fingerprint, now);
  if (diffs.length > 0) throw new CliError(`--resume ${saved.dir}: the run would continue with other settings or data than it started with (${diffs.slice(0, 3).join('; ')}): give the same --model, --train, --valid and recipe flags, or start a new run`);
}

/** metrics.jsonl up to the checkpoint's step: the start event, and the steps and evaluations the checkpoint holds. */
export function metricsUpTo(text: string, step: number, evalEvery: number): string {
  const kept = text.split('\n').filter((line) => {
    try {
      const e = JSON.parse(line) as { type?: unknown; step?: unknown };
      if (e.type === 'start') return true;
      if (typeof e.step !== 'number' || (e.type !== 'step' && e.type !== 'eval')) return false;
      return keptOnResume(e.type, e.step, step, evalEvery);
    } catch {
      return false; // a torn last line of an interrupted write
    }
  });
  return kept.map((line) => `${line}\n`).join('');
}
