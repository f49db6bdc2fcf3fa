/**
 * A model ready to evaluate: the base weights, with a trained run's folder (adapter or model) on top when given.
 * The weights are checked (startingWeights) before the caller opens a device, so a bad folder is a message,
 * not a leaked device.
 */
import type { Runtime } from '../engine/gpu/runtime';
import { parsePeftConfig } from '../engine/peft/parse';
import { planPeft, type PeftPlan } from '../engine/peft/plan';
import { buildModel } from '../engine/train/build_model';
import { trainerConfig, type RecipeSettings } from '../engine/train/run_config';
import { startingWeights, withoutHead } from '../engine/train/starting_weights';
import type { TrainableModel } from '../engine/train/trainable_model';
import type { AdapterDir } from './adapter_dir';
import type { LoadedModel } from './model_dir';

export interface EvaluationWeights {
  readonly plan: PeftPlan;
  readonly values: Map<string, Float32Array>;
  readonly peft: ReturnType<typeof parsePeftConfig>;
}

/**
 * `flag`: how the run folder was given (for messages), e.g. "--adapter runs/a". `classes`: evaluate a classification
 * run with its head; null: the encoder alone (ranked, embedded, probed), a classification run's head left aside.
 */
export function evaluationWeights(model: LoadedModel, run: AdapterDir | null, flag: string, seed: number, classes: number | null = null): EvaluationWeights {
  const peft = run?.adapter?.peft ?? parsePeftConfig({ methods: [{ type: 'bitfit' }] }, model.config);
  const plan = planPeft(model.config, peft, classes);
  const tensors = run?.adapter ? (classes === null ? withoutHead(run.adapter.tensors) : run.adapter.tensors) : null;
  const start = startingWeights(plan, { base: model.weights, trained: run?.baseWeights, adapter: tensors ? { tensors, name: flag } : null }, seed);
  return { plan, values: start.values, peft };
}

/** `quantizeActivations`: every linear input quantized as quantize_dynamic does (a plain model: no added modules). */
export function evaluationModel(rt: Runtime, weights: EvaluationWeights, recipe: RecipeSettings, quantizeActivations = false): TrainableModel {
  const config = trainerConfig(recipe, weights.peft);
  const tm = buildModel(rt, weights.plan, quantizeActivations ? { ...config, recipe: { ...config.recipe, quantizeActivations } } : config, 'evaluate');
  tm.weights.load(weights.values);
  return tm;
}
