/**
 * The layer analysis in the Worker, as `lab probe` does it: a labelled file read with the chosen fields, every
 * layer's representation of it for the loaded model (and for a run of this session, on the model that run
 * trained), then the probes and each layer's drift (engine/eval/layer_analysis.ts). A GPU device of its own.
 */
import { labelClasses } from '../../engine/data';
import { studyLayers } from '../../engine/eval/layer_analysis';
import { layerRepresentations } from '../../engine/eval/layer_representations';
import { acquireDevice } from '../../engine/gpu/device';
import { Runtime } from '../../engine/gpu/runtime';
import { encodeExamples } from '../../engine/io/encode';
import { parsePeftConfig } from '../../engine/peft/parse';
import { planPeft, type PeftPlan } from '../../engine/peft/plan';
import { buildModel } from '../../engine/train/build_model';
import { parseRecipe, trainerConfig, type RecipeSettings } from '../../engine/train/run_config';
import { weightsToStart } from './adapter_import';
import { ModelFilesError, type LoadedModel } from './model_files';
import type { LayerStudyRequest, PageLayerStudy } from './protocol';
import { readShardInput, RunDataError } from './shards';

export interface LayerStudyContext {
  readonly gpu: GPU | undefined;
  readonly model: LoadedModel | null;
  readonly runWeights: (runId: string) => { model: LoadedModel; plan: PeftPlan; values: Map<string, Float32Array> } | null;
}

interface Side {
  readonly plan: PeftPlan;
  readonly values: Map<string, Float32Array>;
}

export async function studyModelLayers(request: LayerStudyRequest, ctx: LayerStudyContext): Promise<PageLayerStudy> {
  const run = request.runId === null ? null : ctx.runWeights(request.runId);
  if (request.runId !== null && !run) throw new RunDataError('The weights of that run are no longer in memory (only the last two runs of this session are kept): train it again, or analyze the model alone.');
  // A run is compared with the model it trained, whatever is loaded now.
  const model = run?.model ?? ctx.model;
  if (!model) throw new ModelFilesError('No model is loaded: use the demo model or drop a model folder first.');
  const { examples: all, report } = await readShardInput('', request.input, () => undefined, { code: request.textField, query: request.textField, label: request.labelField });
  const examples = all.slice(0, request.maxExamples);
  const labelled = labelClasses(examples, report.name);
  const recipe = parseRecipe({ codeLength: request.length, nlLength: 3, evalBatchSize: 32 }, model.config);
  const ids = encodeExamples(examples, model.tokenizer, recipe.codeLength, recipe.nlLength).code;
  const peft = parsePeftConfig({ methods: [{ type: 'bitfit' }] }, model.config);
  const basePlan = planPeft(model.config, peft);
  const base: Side = { plan: basePlan, values: weightsToStart(model, basePlan, 1, null) };
  const rt = new Runtime(await acquireDevice(ctx.gpu));
  try {
    const layersOf = (side: Side): Promise<Float32Array[]> => representations(rt, side, recipe, ids, examples.length, request.pooling);
    const before = await layersOf(base);
    const after = run ? await layersOf(run) : null;
    const study = studyLayers(before, after, model.config.hidden, labelled);
    return { ...study, data: report.name, label: request.labelField, pooling: request.pooling, runId: request.runId, skipped: report.skipped };
  } finally {
    rt.destroy();
  }
}

function representations(rt: Runtime, side: Side, recipe: RecipeSettings, ids: Uint32Array, n: number, pooling: LayerStudyRequest['pooling']): Promise<Float32Array[]> {
  const tm = buildModel(rt, side.plan, trainerConfig(recipe, side.plan.peft), 'evaluate');
  tm.weights.load(side.values);
  return layerRepresentations(rt, tm, ids, n, recipe.evalBatchSize, pooling);
}
