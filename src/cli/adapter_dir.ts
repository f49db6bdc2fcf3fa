/**
 * A folder a run wrote (or a peft adapter folder): the adapter it holds, the base weights it changed, and the
 * run's recipe (run_config.json) so eval/embed use the same lengths and pooling as training.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importAdapter, type ImportedAdapter } from '../engine/io/export';
import { loadCheckpoint, mapToModel } from '../engine/io/checkpoint';
import type { EncoderConfig } from '../engine/model/config';
import { parsePeftConfig } from '../engine/peft/parse';
import type { PeftConfig } from '../engine/peft/types';
import { parseRecipe, type RecipeSettings } from '../engine/train/run_config';
import { readTask, type TaskConfig } from '../engine/train/task';
import { CliError } from './errors';

export const RUN_CONFIG_FILE = 'run_config.json';

export interface AdapterDir {
  readonly adapter: ImportedAdapter | null;
  /** Base weights the run trained (a Hugging Face model.safetensors in the folder). */
  readonly baseWeights: Map<string, Float32Array>;
  readonly recipe: RecipeSettings | null;
  /** The run's method (run_config.json), when the folder is a run's output. */
  readonly peft: PeftConfig | null;
  /** The run's task (run_config.json), when the folder is a run's output. */
  readonly task: TaskConfig | null;
}

export function readAdapterDir(dir: string, flag: string, model: EncoderConfig): AdapterDir {
  if (!existsSync(dir)) throw new CliError(`--${flag} ${dir} does not exist`);
  const files = new Map<string, Uint8Array>();
  for (const name of readdirSync(dir)) if (/\.(json|safetensors)$/.test(name)) files.set(name, new Uint8Array(readFileSync(join(dir, name))));
  try {
    const hasAdapter = files.has('adapter_config.json') || files.has('lab_peft.json');
    const adapter = hasAdapter ? importAdapter(files, model) : null;
    // A trained model folder is read as a base model is: every tensor's name, shape, dtype and values checked.
    const st = files.get('model.safetensors');
    // A classification folder (RobertaForSequenceClassification) has no pooler and brings its head: both join the base weights.
    const mapped = st ? mapToModel(loadCheckpoint(st, 'model.safetensors'), model, 'model.safetensors', { poolerOptional: true }) : null;
    const baseWeights = mapped ? new Map([...mapped.weights, ...mapped.head]) : new Map<string, Float32Array>();
    if (!adapter && baseWeights.size === 0) throw new Error('it holds no adapter (adapter_config.json / lab_peft.json) and no model.safetensors');
    const run = files.get(RUN_CONFIG_FILE);
    const runJson = run ? (JSON.parse(new TextDecoder().decode(run)) as { recipe?: unknown; peft?: unknown; task?: unknown }) : null;
    const recipe = runJson ? parseRecipe(runJson.recipe ?? {}, model) : null;
    const peft = runJson?.peft ? parsePeftConfig(runJson.peft, model) : null;
    const problems: string[] = [];
    const task = runJson ? readTask(runJson.task, 'task', problems) : null;
    if (problems.length > 0) throw new Error(problems.join('; '));
    return { adapter, baseWeights, recipe, peft, task };
  } catch (error) {
    if (error instanceof CliError) throw error;
    // One line, as every CLI error: a list of problems is joined.
    throw new CliError(`--${flag} ${dir}: ${(error instanceof Error ? error.message : String(error)).replace(/\n\s*(- )?/g, '; ')}`);
  }
}
