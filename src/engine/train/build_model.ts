/**
 * The one way a model is built — for training, evaluation, the memory planner, the bench, the CLI and the
 * Worker — from a plan made once per run (planPeft) and the trainer's settings. Training gets AdamW;
 * evaluation gets no optimizer and no dropout.
 */
import type { Runtime } from '../gpu/runtime';
import type { PeftPlan } from '../peft/plan';
import { adamwSettings } from './optimizer';
import type { TrainerConfig } from './run_config';
import { TrainableModel } from './trainable_model';

export type ModelPurpose = 'train' | 'evaluate';

export function buildModel(rt: Runtime, plan: PeftPlan, config: TrainerConfig, purpose: ModelPurpose): TrainableModel {
  if (purpose === 'train') return new TrainableModel(rt, plan, config.recipe, adamwSettings(config.weightDecay, config.maxGradNorm), config.seed);
  return new TrainableModel(rt, plan, { ...config.recipe, hiddenDropout: 0, attentionDropout: 0 }, null, config.seed);
}
