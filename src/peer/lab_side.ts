/** The lab's side of the peer benchmark: the demo model's evaluation tower, one batch of code, its embeddings. */
import { acquireDevice } from '../engine/gpu/device';
import { Runtime } from '../engine/gpu/runtime';
import { buildInput } from '../engine/io/tokenizer';
import { parsePeftConfig } from '../engine/peft/parse';
import { planPeft } from '../engine/peft/plan';
import { buildModel } from '../engine/train/build_model';
import { DEFAULT_RECIPE, trainerConfig } from '../engine/train/run_config';
import { startingWeights } from '../engine/train/starting_weights';
import { loadDemoModel } from '../app/worker/model_files';
import { DEMO_BASE } from '../app/worker/protocol';

export interface LabSide {
  readonly ids: Uint32Array;
  readonly hidden: number;
  readonly adapter: string;
  /** One evaluation forward of the batch and the embeddings read back. */
  embed(): Promise<Float32Array>;
}

export async function labSide(codes: readonly string[], length: number): Promise<LabSide> {
  const model = await loadDemoModel(new URL(DEMO_BASE, location.href).href);
  const ids = new Uint32Array(codes.length * length);
  codes.forEach((code, i) => ids.set(buildInput(model.tokenizer, code, length).ids, i * length));
  const peft = parsePeftConfig({ methods: [{ type: 'bitfit' }] }, model.config);
  const plan = planPeft(model.config, peft);
  const recipe = { ...DEFAULT_RECIPE, batchSize: codes.length, evalBatchSize: codes.length, codeLength: length, nlLength: length };
  const rt = new Runtime(await acquireDevice(navigator.gpu));
  const tm = buildModel(rt, plan, trainerConfig(recipe, peft), 'evaluate');
  tm.weights.load(startingWeights(plan, { base: model.weights }, recipe.seed).values);
  const tower = tm.evalTower('code', codes.length);
  tower.setBatch(ids, 0);
  const forward = tower.inference();
  const a = rt.adapter;
  return {
    ids,
    hidden: model.config.hidden,
    adapter: a.description || `${a.vendor} ${a.architecture}`.trim(),
    embed: async () => (await rt.run(forward, [tower.head.vec]))[0]!,
  };
}
