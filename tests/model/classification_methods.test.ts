/**
 * Every PEFT method trains a classification head (the parity cases check LoRA, adapters, BitFit and prefix-tuning
 * against the real libraries; this covers the rest): the plan adds the head as trainable and never trains the
 * pooler, two steps give finite losses, and the head and the method's own tensors move.
 */
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../src/engine/model/config';
import { parsePeftConfig } from '../../src/engine/peft/parse';
import { planPeft } from '../../src/engine/peft/plan';
import { startingWeights } from '../../src/engine/train/starting_weights';
import { TrainableModel } from '../../src/engine/train/trainable_model';
import { syntheticIds } from '../../src/engine/plan/memory';
import { testRuntime } from '../helpers/gpu';

const tiny = PRESETS.tiny;
const lora = { type: 'lora', r: 2, alpha: 4, targets: ['query', 'value'] };

const METHODS: readonly (readonly [string, unknown])[] = [
  ['full', { methods: [{ type: 'full' }] }],
  ['layernorm', { methods: [{ type: 'layernorm' }] }],
  ['ia3', { methods: [{ type: 'ia3', targets: ['key', 'value', 'output.dense'], feedforward: ['output.dense'] }] }],
  ['prefix with MLP', { methods: [{ type: 'prefix', length: 2, projection: { hidden: 8 } }] }],
  ['telly-1', { methods: [{ type: 'telly', k: 1 }] }],
  ['lwo', { methods: [{ type: 'lwo', group: 1, schedule: 'bottom-up', phaseSteps: 1 }] }],
  ['loff in layer 1, trainPooler asked', { methods: [lora, { type: 'adapter', placement: 'ffn', size: 4 }], layers: [1], trainPooler: true }],
];

describe.each(METHODS)('classification with %s', (_name, json) => {
  it('trains the head and the method, never the pooler', async () => {
    const rt = await testRuntime();
    const peft = parsePeftConfig(json, tiny);
    const plan = planPeft(tiny, peft, 3);
    const names = plan.trainable.map((s) => s.name);
    expect(names.filter((n) => n.startsWith('classifier.')).sort()).toEqual(['classifier.dense.bias', 'classifier.dense.weight', 'classifier.out_proj.bias', 'classifier.out_proj.weight']);
    expect(names.filter((n) => n.startsWith('pooler.'))).toEqual([]);
    const shape = { batchSize: 4, codeLength: 8, nlLength: 3, head: { pooling: 'cls' as const, normalize: false }, scale: 1, hiddenDropout: 0.1, attentionDropout: 0.1, classWeights: null };
    const tm = new TrainableModel(rt, plan, shape, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, maxGradNorm: 1 }, 5);
    const start = startingWeights(plan, { base: new Map(plan.base.map((s) => [s.name, Float32Array.from({ length: s.shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i + s.name.length) * 0.1 + (s.name.endsWith('LayerNorm.weight') ? 1 : 0))])) }, 5);
    tm.weights.load(start.values);
    const ids = syntheticIds(tiny, 4, 8);
    for (const step of [0, 1]) {
      const r = await tm.classifyStep(ids, Uint32Array.of(0, 1, 2, 1), step, 0.01);
      expect(Number.isFinite(r.loss) && r.gradNorm > 0, `step ${step}: loss ${r.loss}, norm ${r.gradNorm}`).toBe(true);
    }
    const after = await tm.weights.readTrainable();
    const moved = (name: string): boolean => after.get(name)!.some((v, i) => v !== start.values.get(name)![i]);
    expect(moved('classifier.out_proj.weight')).toBe(true);
    const own = plan.trainable.find((s) => s.module !== 'classifier')!;
    expect(moved(own.name), own.name).toBe(true);
  });
});
