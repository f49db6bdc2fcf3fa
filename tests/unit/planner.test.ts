/**
 * The memory planner without a GPU (no Dawn in this process): its categories against independent counts from
 * the parameter specs, shape-derived checks on the activations, and the codebert-base numbers BENCHMARKS.md
 * quotes. tests/kernels/planner.test.ts checks the totals against a real arena on SwiftShader.
 */
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../src/engine/model/config';
import { specNumel } from '../../src/engine/model/params';
import { parsePeftConfig } from '../../src/engine/peft/parse';
import { planPeft } from '../../src/engine/peft/plan';
import { planStep, planStepMemory } from '../../src/engine/plan/memory';
import { DEFAULT_RECIPE, type RecipeSettings } from '../../src/engine/train/run_config';

const codebert = PRESETS['microsoft/codebert-base'];
const tiny = PRESETS.tiny;
const loraJson = { methods: [{ type: 'lora', r: 64, alpha: 128, targets: ['query', 'value'] }] };
const tinyRecipe: RecipeSettings = { ...DEFAULT_RECIPE, batchSize: 4, codeLength: 10, nlLength: 7, evalBatchSize: 3 };

/** Bytes of the flat trainable buffers: every tensor 64-float aligned, four buffers (params, grads, m, v). */
function flatBytes(json: unknown, model = tiny): number {
  const plan = planPeft(model, parsePeftConfig(json, model));
  const floats = plan.trainable.reduce((sum, s) => sum + Math.ceil(specNumel(s) / 64) * 64, 0);
  return 16 * floats;
}

function frozenBytes(json: unknown, model = tiny): number {
  const plan = planPeft(model, parsePeftConfig(json, model));
  const trainable = new Set(plan.trainable.map((s) => s.name));
  return [...plan.base, ...plan.added].filter((s) => !trainable.has(s.name)).reduce((sum, s) => sum + Math.max(4, 4 * specNumel(s)), 0);
}

describe('memory planner (no GPU)', () => {
  it('runs where WebGPU is absent: the flag constants are supplied', async () => {
    const plan = await planStepMemory(tiny, parsePeftConfig({ methods: [{ type: 'bitfit' }] }, tiny), tinyRecipe);
    expect(plan.total).toBeGreaterThan(0);
    expect(typeof GPUBufferUsage.STORAGE).toBe('number');
  });

  it.each([
    ['full', { methods: [{ type: 'full' }] }],
    ['bitfit', { methods: [{ type: 'bitfit' }] }],
    ['lora', { methods: [{ type: 'lora', r: 4, alpha: 8, dropout: 0.1, targets: ['query', 'value'] }] }],
    ['adapter', { methods: [{ type: 'adapter', placement: 'houlsby', size: 8 }] }],
    ['prefix mlp', { methods: [{ type: 'prefix', length: 3, projection: { hidden: 16 } }] }],
  ])('%s: weights and trainable bytes match the parameter specs; categories and breakdown add up', async (_name, json) => {
    const plan = await planStepMemory(tiny, parsePeftConfig(json, tiny), tinyRecipe);
    expect(plan.weights).toBe(frozenBytes(json));
    expect(plan.trainable).toBe(flatBytes(json));
    expect(plan.weights + plan.trainable + plan.activations + plan.scratch).toBe(plan.total);
    expect(plan.scratch).toBeGreaterThan(0);
    expect(plan.breakdown.reduce((s, i) => s + i.bytes, 0)).toBe(plan.total);
    expect(plan.evaluation).toBeNull();
  });

  it('keeps per layer only what a backward reads: the input of a frozen weight is one shared buffer per tower', async () => {
    const rowsBoth = tinyRecipe.batchSize * (tinyRecipe.codeLength + tinyRecipe.nlLength);
    const item = (p: Awaited<ReturnType<typeof planStepMemory>>, name: string) => p.breakdown.find((i) => i.name === name);
    const plan = (json: unknown, recipe = tinyRecipe) => planStepMemory(tiny, parsePeftConfig(json, tiny), recipe);
    const bitfit = await plan({ methods: [{ type: 'bitfit' }] });
    const full = await plan({ methods: [{ type: 'full' }] });
    // q is read by the attention backward: one per layer and tower, whatever trains.
    expect(item(bitfit, 'layer.q')).toEqual({ name: 'layer.q', category: 'activations', bytes: tiny.layers * rowsBoth * tiny.hidden * 4, count: 2 * tiny.layers });
    // f1a is only the input of output.dense's weight gradient: kept per layer when that weight trains ...
    expect(item(full, 'layer.f1a')?.bytes).toBe(tiny.layers * rowsBoth * tiny.intermediate * 4);
    // ... and one buffer per tower when it is frozen.
    expect(item(bitfit, 'layer.f1a')).toBeUndefined();
    expect(item(bitfit, 'shared.f1a')?.count).toBe(2);
    // Attention keeps 2 softmax statistics per query row, not the (B, H, T, T) probabilities.
    expect(item(bitfit, 'layer.probs')).toBeUndefined();
    expect(item(bitfit, 'layer.rowStats')?.bytes).toBe(tiny.layers * tinyRecipe.batchSize * tiny.heads * (tinyRecipe.codeLength + tinyRecipe.nlLength) * 2 * 4);
    // A dropped sublayer output is kept only for an adapter's backward.
    expect(item(bitfit, 'layer.aoDrop')).toBeUndefined();
    const houlsby = await plan({ methods: [{ type: 'adapter', placement: 'houlsby', size: 4 }] });
    expect(item(houlsby, 'layer.aoDrop')?.count).toBe(2 * tiny.layers);
    expect(bitfit.activations).toBeLessThan(full.activations);
  });

  it('plans the first evaluation when asked, growing with the eval batch', async () => {
    const peft = parsePeftConfig({ methods: [{ type: 'lora', r: 4, alpha: 8, targets: ['query', 'value'] }] }, tiny);
    const small = await planStepMemory(tiny, peft, tinyRecipe, { evalExamples: 7 });
    const large = await planStepMemory(tiny, peft, { ...tinyRecipe, evalBatchSize: 6 }, { evalExamples: 7 });
    expect(small.evaluation).toBeGreaterThan(0);
    expect(large.evaluation).toBeGreaterThan(small.evaluation!);
    expect(large.total).toBe(small.total);
  });

  it('is deterministic', async () => {
    const peft = parsePeftConfig({ methods: [{ type: 'adapter', placement: 'ffn', size: 8 }] }, tiny);
    expect(await planStepMemory(tiny, peft, tinyRecipe)).toEqual(await planStepMemory(tiny, peft, tinyRecipe));
  });

  it('codebert-base LoRA r=64 (q, v) at batch 16 × 256/128 fits in 4 GiB, evaluation included', async () => {
    const { memory, cost } = await planStep(codebert, parsePeftConfig(loraJson, codebert), DEFAULT_RECIPE, { evalExamples: 9604 });
    expect(memory.weights).toBe(124_645_632 * 4);
    expect(memory.trainable).toBe(2_359_296 * 16);
    expect(memory.total + memory.evaluation!).toBeLessThan(4 * 2 ** 30);
    expect(cost.flops).toBeGreaterThan(0);
    expect(cost.boundBytes).toBeGreaterThan(memory.activations);
  });

  it('backward truncation shows in the FLOPs: Telly-6 and LoRA do less work per step than full fine-tuning', async () => {
    const flops = async (json: unknown) => (await planStep(codebert, parsePeftConfig(json, codebert), { ...DEFAULT_RECIPE, batchSize: 2, codeLength: 32, nlLength: 16 })).cost.flops;
    const full = await flops({ methods: [{ type: 'full' }] });
    expect(await flops({ methods: [{ type: 'telly', k: 6 }] })).toBeLessThan(full);
    expect(await flops(loraJson)).toBeLessThan(full);
  });
});
