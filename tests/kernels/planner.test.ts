/**
 * The memory planner against the real arena on SwiftShader: for each method, the bytes the planner predicts
 * for one training step (and for the first evaluation) equal the arena's peak after the same step run on a
 * GPU device. Tolerance: none — both come from the same allocation code, so any difference is a bug.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { classifyAll } from '../../src/engine/eval/classification_eval';
import { evaluateRetrieval } from '../../src/engine/eval/retrieval';
import { Runtime } from '../../src/engine/gpu/runtime';
import { PRESETS } from '../../src/engine/model/config';
import { parsePeftConfig } from '../../src/engine/peft/parse';
import { planStepMemory, syntheticIds, trainingModel } from '../../src/engine/plan/memory';
import { DEFAULT_RECIPE, type RecipeSettings } from '../../src/engine/train/run_config';
import { testRuntime } from '../helpers/gpu';

const tiny = PRESETS.tiny;
const recipe: RecipeSettings = { ...DEFAULT_RECIPE, batchSize: 4, codeLength: 10, nlLength: 7, evalBatchSize: 3 };
const lora = { type: 'lora', r: 4, alpha: 8, dropout: 0.1, targets: ['query', 'value'] };

// One case per allocation path: embedding-gradient plans (full), LoRA dropout buffers, adapters with dropout
// off (activations alias instead of being allocated), the prefix MLP, LWO's per-layer ranges, and the head
// variants with a layer-restricted combination.
// `evaluate`: also check the first evaluation's extra bytes (its towers compile new pipelines: two cases only;
// full fine-tuning's weight readback is the largest).
const CASES: readonly (readonly [string, unknown, Partial<RecipeSettings>, boolean])[] = [
  ['full', { methods: [{ type: 'full' }] }, {}, true],
  ['lora (dropout 0.1)', { methods: [lora] }, {}, false],
  ['adapter houlsby, dropout off', { methods: [{ type: 'adapter', placement: 'houlsby', size: 8 }] }, { hiddenDropout: 0, attentionDropout: 0 }, false],
  ['prefix with MLP', { methods: [{ type: 'prefix', length: 3, projection: { hidden: 16 } }] }, {}, true],
  ['lwo', { methods: [{ type: 'lwo', group: 1, schedule: 'bottom-up', phaseSteps: 1 }] }, {}, false],
  ['loff in layer 1, mean pooling, normalized', { methods: [lora, { type: 'adapter', placement: 'ffn', size: 8 }], layers: [1] }, { pooling: 'mean', normalize: true, scale: 20 }, false],
];

let rt: Runtime | null = null;
afterEach(() => {
  rt?.arena.destroyAll();
  rt = null;
});

/** A runtime with an arena of its own (fresh byte counts) on the shared test device (compiled pipelines). */
async function freshRuntime(): Promise<Runtime> {
  const shared = await testRuntime();
  return new Runtime({ device: shared.device, adapter: shared.adapter, features: shared.features });
}

describe('memory planner vs the arena on SwiftShader', () => {
  it.each(CASES)('%s: the predicted bytes equal the actual peak', async (_name, json, overrides, evaluate) => {
    const r = { ...recipe, ...overrides };
    const peft = parsePeftConfig(json, tiny);
    const evalExamples = 7; // not a multiple of the eval batch: the last chunk is partial
    const plan = await planStepMemory(tiny, peft, r, evaluate ? { evalExamples } : {});
    rt = await freshRuntime();
    const tm = trainingModel(rt, tiny, peft, r);
    // Two steps: LWO's second phase (group 1, phaseSteps 1) allocates its own optimizer uniforms.
    for (const step of [0, 1]) {
      const result = await tm.step(syntheticIds(tiny, r.batchSize, r.codeLength), syntheticIds(tiny, r.batchSize, r.nlLength), step, r.lr);
      expect(Number.isFinite(result.loss)).toBe(true);
    }
    const stepPeak = rt.arena.bytesPeak;
    expect(plan.total).toBe(stepPeak);
    expect(plan.weights + plan.trainable + plan.activations + plan.scratch).toBe(plan.total);
    const flat = tm.weights.flat;
    expect(plan.trainable).toBe(flat ? 4 * flat.params.buffer.size : 0);
    if (!evaluate) {
      expect(plan.evaluation).toBeNull();
      return;
    }
    const set = { n: evalExamples, code: syntheticIds(tiny, evalExamples, r.codeLength), nl: syntheticIds(tiny, evalExamples, r.nlLength) };
    await evaluateRetrieval(rt, tm, set, r.evalBatchSize);
    await tm.weights.readTrainable(); // the trainer keeps the best weights after an evaluation
    expect(plan.evaluation).toBe(rt.arena.bytesPeak - stepPeak);
  });

  it('a classification run (LoRA, 3 classes): one tower and the head, step and evaluation predicted exactly', async () => {
    const peft = parsePeftConfig({ methods: [lora] }, tiny);
    const evalExamples = 7;
    const plan = await planStepMemory(tiny, peft, recipe, { evalExamples, classes: 3 });
    const search = await planStepMemory(tiny, peft, recipe, {});
    rt = await freshRuntime();
    const tm = trainingModel(rt, tiny, peft, recipe, 3);
    const result = await tm.classifyStep(syntheticIds(tiny, recipe.batchSize, recipe.codeLength), Uint32Array.of(0, 1, 2, 1), 0, recipe.lr);
    expect(Number.isFinite(result.loss)).toBe(true);
    const stepPeak = rt.arena.bytesPeak;
    expect(plan.total).toBe(stepPeak);
    expect(plan.activations).toBeGreaterThan(0);
    expect(plan.activations, 'no query tower').toBeLessThan(search.activations);
    await classifyAll(rt, tm, { n: evalExamples, code: syntheticIds(tiny, evalExamples, recipe.codeLength), nl: new Uint32Array(0) }, recipe.evalBatchSize);
    await tm.weights.readTrainable();
    expect(plan.evaluation).toBe(rt.arena.bytesPeak - stepPeak);
  });
});
