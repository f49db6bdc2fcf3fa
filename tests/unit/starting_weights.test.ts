import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../src/engine/model/config';
import { baseParams, specNumel } from '../../src/engine/model/params';
import { parsePeftConfig } from '../../src/engine/peft/parse';
import { planPeft } from '../../src/engine/peft/plan';
import { startingWeights, StartingWeightsError } from '../../src/engine/train/starting_weights';

const model = { ...PRESETS['microsoft/codebert-base'], layers: 2, hidden: 8, heads: 2, intermediate: 16, vocabSize: 20, maxPositions: 16 };
const base = new Map(baseParams(model).map((s) => [s.name, new Float32Array(specNumel(s)).fill(0.5)]));
const plan = planPeft(model, parsePeftConfig({ methods: [{ type: 'lora', r: 2, targets: ['query'] }] }, model));
const adapterOf = (drop = 0): Map<string, Float32Array> => new Map(plan.added.slice(drop).map((s) => [s.name, new Float32Array(specNumel(s)).fill(3)]));

describe('the one rule for starting weights', () => {
  it('no adapter: the base model plus the seeded initialization, reported; the same seed gives the same weights', () => {
    const a = startingWeights(plan, { base }, 7);
    expect(a.report).toMatchObject({ fromBase: plan.base.length, fromTrained: 0, fromAdapter: 0, initialized: plan.added.length });
    expect(a.report.text).toBe(`starting weights: ${plan.base.length} from the base model, ${plan.added.length} initialized (seed 7)`);
    expect(startingWeights(plan, { base }, 7).values.get(plan.added[0]!.name)).toEqual(a.values.get(plan.added[0]!.name));
    expect(startingWeights(plan, { base }, 8).values.get(plan.added[0]!.name)).not.toEqual(a.values.get(plan.added[0]!.name));
  });

  it("an adapter gives every added tensor, and a trained folder's base weights replace the base model's", () => {
    const word = 'embeddings.word_embeddings.weight';
    const trained = new Map([[word, new Float32Array(base.get(word)!.length).fill(9)]]);
    const s = startingWeights(plan, { base, trained, adapter: { tensors: adapterOf(), name: '--init run' } }, 7);
    expect(s.values.get(word)![0]).toBe(9);
    expect(s.values.get(plan.added[0]!.name)![0]).toBe(3);
    expect(s.report.text).toBe(`starting weights: ${plan.base.length - 1} from the base model, 1 from the trained model folder, ${plan.added.length} from --init run`);
  });

  it('refuses an adapter that lacks, adds or resizes a tensor, naming it and the way out', () => {
    const start = (tensors: Map<string, Float32Array>) => () => startingWeights(plan, { base, adapter: { tensors, name: '--init run' } }, 7);
    expect(start(adapterOf(1))).toThrow(new RegExp(`--init run does not fit the configuration: it lacks ${plan.added[0]!.name.replace(/\./g, '\\.')}`));
    expect(start(new Map([...adapterOf(), ['stray.weight', new Float32Array(1)]]))).toThrow(/it holds stray\.weight, which this configuration does not use/);
    expect(start(new Map([...adapterOf(), [plan.added[0]!.name, new Float32Array(3)]]))).toThrow(/has 3 values where this model needs/);
    expect(start(adapterOf(1))).toThrow(StartingWeightsError);
  });

  it('refuses a base model without a parameter, or with one of another size', () => {
    const partial = new Map(base);
    partial.delete('pooler.dense.bias');
    expect(() => startingWeights(plan, { base: partial }, 7)).toThrow(/the base model has no "pooler\.dense\.bias"/);
    const resized = new Map(base);
    resized.set('pooler.dense.bias', new Float32Array(3));
    expect(() => startingWeights(plan, { base: resized }, 7)).toThrow(/"pooler\.dense\.bias" in the base model has 3 values where the model needs 8/);
  });
});
