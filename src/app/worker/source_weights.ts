/**
 * The weights an analysis view asks for: a finished run of this session (by id, while the Trainer keeps its
 * weights), or the loaded model with the configuration's method (and the chosen adapter). Code search only:
 * a classification run is refused with the view's own alternative.
 */
import { planPeft, type PeftPlan } from '../../engine/peft/plan';
import { parseRunConfig, type RecipeSettings, type RunConfig } from '../../engine/train/run_config';
import { adapterFor, weightsToStart, type LoadedAdapter } from './adapter_import';
import { ModelFilesError, type LoadedModel } from './model_files';
import { RunDataError } from './shards';

export interface SourceWeights {
  readonly model: LoadedModel;
  readonly plan: PeftPlan;
  readonly values: Map<string, Float32Array>;
  readonly recipe: RecipeSettings;
}

export interface SourceContext {
  readonly model: LoadedModel | null;
  readonly adapter: LoadedAdapter | null;
  readonly runWeights: (runId: string) => SourceWeights | null;
}

/** `view`: what the view does, for the messages ("search", "compare precisions"). */
export function sourceWeights(source: string | null, request: { readonly config: RunConfig; readonly fromAdapter: string | null }, ctx: SourceContext, view: string): SourceWeights {
  if (source !== null) {
    const run = ctx.runWeights(source);
    if (!run) throw new RunDataError(`The weights of that run are no longer in memory (only the last two runs of this session are kept): train it again, or ${view} with the model.`);
    if (run.plan.classes !== null) throw new RunDataError(`That run is a classification run: ${view} works with code-search runs.`);
    return run;
  }
  const model = ctx.model;
  if (!model) throw new ModelFilesError('No model is loaded: use the demo model or drop a model folder first.');
  const config = parseRunConfig(request.config, model.config);
  const plan = planPeft(model.config, config.peft);
  return { model, plan, values: weightsToStart(model, plan, config.recipe.seed, adapterFor(request.fromAdapter, ctx.adapter)), recipe: config.recipe };
}
