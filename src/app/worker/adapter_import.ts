/**
 * Trained adapter files back in the lab (what the export buttons or `train --out` wrote): peft LoRA
 * (adapter_config.json + adapter_model.safetensors) or the lab's format (lab_peft.json +
 * lab_adapter.safetensors), read by the engine's importAdapter against the loaded model. Its tensors are
 * checked against the plan of its own configuration, so a wrong model shape is named here and not on the GPU.
 */
import { importAdapter } from '../../engine/io/export';
import { planPeft, type PeftPlan } from '../../engine/peft/plan';
import { adapterMismatch, startingWeights, StartingWeightsError, withoutHead } from '../../engine/train/starting_weights';
import { ModelFilesError, type LoadedModel } from './model_files';
import type { AdapterInfo } from './protocol';

export interface LoadedAdapter {
  readonly info: AdapterInfo;
  readonly tensors: ReadonlyMap<string, Float32Array>;
}

/** Downloads keep the run's name as a prefix (`<run>-adapter_config.json`): the file's own name ends it. */
const ADAPTER_FILE = /(adapter_config\.json|adapter_model\.safetensors|lab_peft\.json|lab_adapter\.safetensors)$/;

function canonicalName(name: string): string | null {
  return ADAPTER_FILE.exec(name)?.[1] ?? null;
}

export async function readAdapterFiles(files: readonly File[], model: LoadedModel | null): Promise<LoadedAdapter> {
  if (!model) throw new ModelFilesError('Load the model the adapter was trained on first, then choose the adapter files.');
  const byName = new Map<string, Uint8Array>();
  let weightsFile = '';
  for (const file of files) {
    const name = canonicalName(file.name);
    if (!name) continue;
    byName.set(name, new Uint8Array(await file.arrayBuffer()));
    if (name.endsWith('.safetensors')) weightsFile = file.name;
  }
  const got = files.map((f) => f.name).join(', ') || 'no files';
  let imported;
  try {
    imported = importAdapter(byName, model.config);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new ModelFilesError(`These files are not an adapter the lab can read (${why}; got ${got}). Choose adapter_config.json with adapter_model.safetensors, or lab_peft.json with lab_adapter.safetensors.`);
  }
  const mismatch = adapterMismatch(planPeft(model.config, imported.peft, imported.classes).added, imported.tensors);
  if (mismatch) throw new ModelFilesError(`The adapter does not fit the loaded model (${model.info.name}): ${mismatch}. Load the model it was trained on.`);
  const info: AdapterInfo = { name: weightsFile, format: imported.format, peft: imported.peft, tensors: imported.tensors.size };
  return { info, tensors: imported.tensors };
}

/**
 * An adapter's tensors for a plan: a classification adapter's head is left out of a plan without one (evaluating
 * or continuing its encoder as code search); a code-search adapter under a classification plan gets a new head.
 */
function forPlan(tensors: ReadonlyMap<string, Float32Array>, plan: PeftPlan): Map<string, Float32Array> {
  return plan.classes === null ? withoutHead(tensors) : new Map(tensors);
}

/** The adapter a request named (by its file), which must still be the one loaded. */
export function adapterFor(name: string | null, loaded: LoadedAdapter | null): LoadedAdapter | null {
  if (name === null) return null;
  if (loaded?.info.name !== name) throw new ModelFilesError(`The adapter ${name} is no longer loaded (another model or adapter replaced it): choose it again, or Remove it to start fresh.`);
  return loaded;
}

/**
 * The weights a run or an evaluation starts from, by the engine's one rule (train/starting_weights.ts): the
 * base model plus the adapter's tensors when one is loaded (they must fit the configuration exactly), or the
 * seeded initialization, as the CLI's: the same configuration starts from the same weights.
 */
export function weightsToStart(model: LoadedModel, plan: PeftPlan, seed: number, adapter: LoadedAdapter | null): Map<string, Float32Array> {
  try {
    const tensors = adapter ? forPlan(adapter.tensors, plan) : null;
    return startingWeights(plan, { base: model.weights, adapter: adapter && tensors ? { tensors, name: `The adapter ${adapter.info.name}` } : null }, seed).values;
  } catch (error) {
    if (!(error instanceof StartingWeightsError)) throw error;
    throw new ModelFilesError(`${error.message} Choose the adapter again to restore its method in the method panel, or Remove it to start fresh.`);
  }
}
