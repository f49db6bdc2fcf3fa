/**
 * Pruned weights stay exactly zero through training, for every method (issue 15): the paper's prunable weights
 * of a tiny model are pruned 30% (L1, global), the weights loaded masked, and three AdamW steps with weight
 * decay taken. Trainable pruned weights (full fine-tuning, Telly's and LWO's layers) keep 0 because their
 * gradients are masked before the norm; frozen ones (under LoRA, adapters, prefix-tuning, BitFit, (IA)³) were
 * loaded as 0 and never change. Without the gradient mask the full fine-tuning case fails (its weights move).
 */
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../src/engine/model/config';
import { parsePeftConfig } from '../../src/engine/peft/parse';
import { planPeft } from '../../src/engine/peft/plan';
import { fullMasks, maskWeights } from '../../src/engine/prune/masks';
import { pruneRound } from '../../src/engine/prune/select';
import { syntheticIds } from '../../src/engine/plan/memory';
import { startingWeights } from '../../src/engine/train/starting_weights';
import { TrainableModel } from '../../src/engine/train/trainable_model';
import { testRuntime } from '../helpers/gpu';
import { Rng } from '../helpers/random';

const tiny = PRESETS.tiny;
const lora = { type: 'lora', r: 2, alpha: 4, targets: ['query', 'value'] };

const METHODS: readonly (readonly [string, unknown])[] = [
  ['full fine-tuning', { methods: [{ type: 'full' }] }],
  ['LoRA', { methods: [lora] }],
  ['Houlsby adapters', { methods: [{ type: 'adapter', placement: 'houlsby', size: 4 }] }],
  ['prefix-tuning with MLP', { methods: [{ type: 'prefix', length: 2, projection: { hidden: 8 } }] }],
  ['BitFit', { methods: [{ type: 'bitfit' }] }],
  ['LayerNorm-only', { methods: [{ type: 'layernorm' }] }],
  ['(IA)³', { methods: [{ type: 'ia3', targets: ['key', 'value', 'output.dense'], feedforward: ['output.dense'] }] }],
  ['Telly-1', { methods: [{ type: 'telly', k: 1 }] }],
  ['LWO', { methods: [{ type: 'lwo', group: 1, schedule: 'bottom-up', phaseSteps: 1 }] }],
  ['loFF', { methods: [lora, { type: 'adapter', placement: 'ffn', size: 4 }] }],
];

describe.each(METHODS)('pruning under %s', (_name, json) => {
  it('keeps every pruned weight at exactly 0 through three AdamW steps with weight decay', async () => {
    const rt = await testRuntime();
    const plan = planPeft(tiny, parsePeftConfig(json, tiny));
    const rng = new Rng(4);
    const base = new Map(plan.base.map((s) => [s.name, Float32Array.from({ length: s.shape.reduce((a, b) => a * b, 1) }, () => (s.name.endsWith('LayerNorm.weight') ? 1 : 0.1 * rng.normal()))]));
    const masks = fullMasks(base);
    expect(masks.size).toBe(tiny.layers * 6);
    pruneRound([...masks].map(([n, mask]) => ({ values: base.get(n)!, mask })), { selection: 'l1', scope: 'global', amount: 0.3 });
    const start = startingWeights(plan, { base: maskWeights(base, masks) }, 5);
    const shape = { batchSize: 4, codeLength: 8, nlLength: 6, head: { pooling: 'pooler' as const, normalize: false }, scale: 1, hiddenDropout: 0.1, attentionDropout: 0.1 };
    const tm = new TrainableModel(rt, plan, shape, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, maxGradNorm: 1 }, 5);
    tm.weights.load(start.values);
    await tm.prune(masks);
    const ids = syntheticIds(tiny, 4, 8);
    for (const step of [0, 1, 2]) {
      const r = await tm.step(ids, ids.slice(0, 4 * 6), step, 0.01);
      expect(Number.isFinite(r.loss), `step ${step}`).toBe(true);
    }
    const trained = await tm.weights.readTrainable();
    const names = [...masks.keys()];
    const [frozen] = [await rt.run([], names.filter((n) => !trained.has(n)).map((n) => tm.weights.get(n)))];
    const frozenByName = new Map(names.filter((n) => !trained.has(n)).map((n, i) => [n, frozen[i]!]));
    let kept = 0;
    for (const name of names) {
      const values = trained.get(name) ?? frozenByName.get(name)!;
      const mask = masks.get(name)!;
      values.forEach((v, i) => {
        if (mask[i] === 0) expect(v, `${name}[${i}]`).toBe(0);
        else kept += v !== 0 ? 1 : 0;
      });
    }
    expect(kept).toBeGreaterThan(0);
    // Where the pruned weights train, the kept ones moved: the zeros are the mask's doing, not a frozen model's.
    const own = names.find((n) => trained.has(n));
    if (own) expect(trained.get(own)!.some((v, i) => masks.get(own)![i] === 1 && v !== start.values.get(own)![i])).toBe(true);
  });
});
