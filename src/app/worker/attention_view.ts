/**
 * The attention view in the Worker: one code, tokenized as the model's code side (at most 64 tokens: the view is
 * a picture), run through each model (a run of this session, or the loaded model with its adapter) on a device
 * of its own; the engine's attention maps (engine/eval/attention_maps.ts) come back per head.
 */
import { attentionMaps } from '../../engine/eval/attention_maps';
import { acquireDevice } from '../../engine/gpu/device';
import { Runtime } from '../../engine/gpu/runtime';
import { buildInput } from '../../engine/io/tokenizer';
import { planPeft } from '../../engine/peft/plan';
import { buildModel } from '../../engine/train/build_model';
import { parseRunConfig, trainerConfig } from '../../engine/train/run_config';
import { adapterFor, weightsToStart } from './adapter_import';
import { ModelFilesError } from './model_files';
import type { AttentionAnswer, WorkerRequest } from './protocol';
import type { PlaygroundContext } from './playground';
import { RunDataError } from './shards';

type AttentionRequest = Extract<WorkerRequest, { type: 'attention' }>;

/** Tokens the view shows at most (<s> and </s> included). */
export const ATTENTION_TOKENS = 64;

export async function attentionView(request: AttentionRequest, ctx: PlaygroundContext): Promise<AttentionAnswer> {
  const model = ctx.model;
  if (!model) throw new ModelFilesError('No model is loaded: use the demo model or drop a model folder first.');
  if (!request.code.trim()) throw new RunDataError('Paste a piece of code (or pick a validation example) to see its attention.');
  if (!Number.isInteger(request.layer) || request.layer < 0 || request.layer >= model.config.layers) throw new RunDataError(`Choose a layer from 1 to ${model.config.layers}.`);
  const length = Math.min(ATTENTION_TOKENS, model.config.maxPositions - model.config.padTokenId - 1);
  const ids = buildInput(model.tokenizer, request.code, length).ids;
  const n = ids.indexOf(model.config.padTokenId);
  const tokens = [...ids.subarray(0, n < 0 ? length : n)].map((id) => model.tokenizer.tokenText?.(id) ?? String(id));
  const rt = new Runtime(await acquireDevice(ctx.gpu));
  try {
    const maps = [];
    for (const source of request.sources) {
      const side = sideWeights(source, request, ctx);
      const config = parseRunConfig(request.config, model.config);
      const recipe = { ...(side.recipe ?? config.recipe), codeLength: length };
      const tm = buildModel(rt, side.plan, trainerConfig(recipe, side.plan.peft), 'evaluate');
      tm.weights.load(side.values);
      const m = await attentionMaps(rt, tm, ids, request.layer);
      maps.push({ source, prefix: m.prefix, heads: m.heads });
    }
    return { layer: request.layer, tokens, maps };
  } finally {
    rt.destroy();
  }
}

function sideWeights(source: string | null, request: AttentionRequest, ctx: PlaygroundContext): { plan: ReturnType<typeof planPeft>; values: Map<string, Float32Array>; recipe: ReturnType<typeof parseRunConfig>['recipe'] | null } {
  if (source !== null) {
    const run = ctx.runWeights(source);
    if (!run) throw new RunDataError('The weights of that run are no longer in memory (only the last two runs of this session are kept): train it again, or use the model.');
    return { plan: run.plan, values: run.values, recipe: run.recipe };
  }
  const model = ctx.model!;
  const config = parseRunConfig(request.config, model.config);
  const plan = planPeft(model.config, config.peft);
  return { plan, values: weightsToStart(model, plan, config.recipe.seed, adapterFor(request.fromAdapter, ctx.adapter)), recipe: null };
}
