/**
 * `frozenWeightsF16`: frozen linear weights kept as packed halves on the GPU.
 *
 * The model test proves the packing path exact rather than approximately right: the golden LoRA model with
 * the option on must give the same losses, grad norms, embeddings, step-0 gradients and 3-step weights as the
 * same run with the option off whose frozen linear weights were rounded to f16 on the CPU beforehand (widening
 * a half to f32 is exact, so the two runs compute the same numbers: on SwiftShader they agree bit for bit). It
 * also checks that the rounding is visible, so a path that silently kept f32 would fail.
 */
import { planPeft } from '../../src/engine/peft/plan';
import { describe, expect, it } from 'vitest';
import { FlagReader, parseFlags } from '../../src/cli/args';
import { RECIPE_FLAGS, RECIPE_HELP, recipeFromFlags } from '../../src/cli/recipe_flags';
import { PRESETS } from '../../src/engine/model/config';
import { LINEAR_SITES, linearPath, linearShape } from '../../src/engine/model/params';
import { ConfigError } from '../../src/engine/peft/fields';
import { parsePeftConfig } from '../../src/engine/peft/parse';
import { planStepMemory } from '../../src/engine/plan/memory';
import { DEFAULT_RECIPE, parseRecipe } from '../../src/engine/train/run_config';
import { linearWarmupFactor } from '../../src/engine/train/schedule';
import { TrainableModel } from '../../src/engine/train/trainable_model';
import type { EncoderConfig } from '../../src/engine/model/config';
import { packHalves, unpackHalves } from '../../src/reference/halves';
import { expectClose, type Tolerance } from '../helpers/compare';
import { testRuntime } from '../helpers/gpu';
import { goldenBatch, goldenCase, goldenConfig, goldenTensors } from './golden';

/** Both runs do the same f32 arithmetic on the same values: anything above f32 noise is a packing bug. */
const TIGHT: Tolerance = { atol: 1e-7, rtol: 1e-6 };

function linearWeightNames(model: EncoderConfig): string[] {
  const names = ['pooler.dense.weight'];
  for (let l = 0; l < model.layers; l++) for (const site of LINEAR_SITES) names.push(`${linearPath(l, site)}.weight`);
  return names;
}

interface RunResult {
  readonly losses: number[];
  readonly gradNorms: number[];
  readonly codeVec: Float32Array;
  readonly grads: Float32Array; // flat, after step 0
  readonly params: Float32Array; // flat, after the last step
  readonly dtypes: Map<string, string>;
}

/**
 * The golden LoRA (q, v) case for its 3 steps; `roundOnCpu` rounds the frozen linear weights to f16 first,
 * with the reference twin, so the engine's packing is checked too, not only the GPU's unpacking.
 */
async function runLora(frozenWeightsF16: boolean, roundOnCpu: boolean): Promise<RunResult> {
  const rt = await testRuntime();
  const model = goldenConfig();
  const { meta } = goldenCase('lora');
  const batches = goldenTensors('batches.safetensors');
  const opt = meta.optimizer;
  const shape = { batchSize: meta.batch.size, codeLength: meta.batch.codeLength, nlLength: meta.batch.nlLength, head: { pooling: meta.pooling, normalize: meta.normalize }, scale: meta.scale, hiddenDropout: 0, attentionDropout: 0, frozenWeightsF16 };
  const adam = { beta1: opt.betas[0], beta2: opt.betas[1], eps: opt.eps, weightDecay: opt.weightDecay, maxGradNorm: opt.maxGradNorm };
  const tm = new TrainableModel(rt, planPeft(model, parsePeftConfig(meta.peft, model)), shape, adam, 123456);
  const linear = new Set(linearWeightNames(model));
  const init = new Map<string, Float32Array>();
  for (const [k, t] of goldenTensors('base.safetensors').tensors) {
    const data = t.data as Float32Array;
    init.set(k, roundOnCpu && linear.has(k) ? unpackHalves(packHalves(data), data.length) : data);
  }
  for (const [k, t] of goldenCase('lora').tensors.tensors) if (k.startsWith('init.')) init.set(k.slice(5), t.data as Float32Array);
  tm.weights.load(init);
  const flat = tm.weights.flat!;
  const losses: number[] = [];
  const gradNorms: number[] = [];
  let atStep0: Float32Array[] = [];
  for (let step = 0; step < meta.batch.steps; step++) {
    const lr = opt.lr * linearWarmupFactor(step, meta.schedule.warmupSteps, meta.schedule.totalSteps);
    const s = await tm.step(goldenBatch(batches, 'code_ids', step), goldenBatch(batches, 'nl_ids', step), step, lr);
    losses.push(s.loss);
    gradNorms.push(s.gradNorm);
    if (step === 0) atStep0 = await rt.run([], [tm.training.code.head.vec, flat.grads]);
  }
  const [params] = await rt.run([], [flat.params]);
  const dtypes = new Map([...init.keys()].map((k) => [k, tm.weights.get(k).dtype]));
  return { losses, gradNorms, codeVec: atStep0[0]!, grads: atStep0[1]!, params: params!, dtypes };
}

describe('frozen weights in 16 bits: the golden LoRA model', () => {
  let packedRun: Promise<RunResult> | null = null;
  const packedLora = (): Promise<RunResult> => (packedRun ??= runLora(true, false));

  it('on equals off with the frozen linear weights rounded to f16 on the CPU: losses, norms, embeddings, gradients, 3-step weights', async () => {
    const packed = await packedLora();
    const rounded = await runLora(false, true);
    expectClose(packed.losses, rounded.losses, TIGHT, 'losses');
    expectClose(packed.gradNorms, rounded.gradNorms, TIGHT, 'grad norms');
    expectClose(packed.codeVec, rounded.codeVec, TIGHT, 'code_vec at step 0');
    expectClose(packed.grads, rounded.grads, TIGHT, 'step-0 gradients');
    expectClose(packed.params, rounded.params, TIGHT, 'weights after 3 steps');
    // Not vacuous: the rounding moves the model away from the unrounded one (which golden.test.ts checks against
    // transformers + peft) by far more than TIGHT allows: the embeddings and the first loss by ≥ 10×.
    const plain = await runLora(false, false);
    const moved = Math.max(...packed.codeVec.map((v, i) => Math.abs(v - plain.codeVec[i]!)));
    expect(moved, 'code_vec moved by the rounding').toBeGreaterThan(10 * (TIGHT.atol + TIGHT.rtol));
    expect(Math.abs(packed.losses[0]! - plain.losses[0]!), 'loss 0 moved by the rounding').toBeGreaterThan(10 * (TIGHT.atol + TIGHT.rtol * plain.losses[0]!));
  });

  it('stores exactly the frozen linear weights as f16: not embeddings, biases, LayerNorms or LoRA factors', async () => {
    const { dtypes } = await packedLora();
    const model = goldenConfig();
    const halves = [...dtypes].filter(([, d]) => d === 'f16').map(([k]) => k);
    expect(halves.sort()).toEqual(linearWeightNames(model).sort());
    expect(dtypes.get('embeddings.word_embeddings.weight')).toBe('f32');
    expect(dtypes.get('encoder.layer.0.attention.self.query.lora_A.weight')).toBe('f32');
  });

  it('refuses, in one clear message, a frozen weight too large for 16 bits', async () => {
    const rt = await testRuntime();
    const model = goldenConfig();
    const shape = { batchSize: 2, codeLength: 5, nlLength: 4, head: { pooling: 'pooler' as const, normalize: false }, scale: 1, hiddenDropout: 0, attentionDropout: 0, frozenWeightsF16: true };
    const tm = new TrainableModel(rt, planPeft(model, parsePeftConfig({ methods: [{ type: 'bitfit' }] }, model)), shape, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 }, 1);
    const w = new Float32Array(model.hidden * model.hidden);
    w[5] = 1e5;
    const load = () => tm.weights.load(new Map([['encoder.layer.1.attention.self.key.weight', w]]));
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/encoder\.layer\.1\.attention\.self\.key\.weight\[5\] is 100000, beyond the 16-bit range \(±65504\): turn the option off \(recipe frozenWeightsF16, CLI --frozen-f16\)/);
  });

  it('keeps trainable linear weights f32 (full fine-tuning with the option on has no f16 tensor)', async () => {
    const rt = await testRuntime();
    const model = goldenConfig();
    const shape = { batchSize: 2, codeLength: 5, nlLength: 4, head: { pooling: 'pooler' as const, normalize: false }, scale: 1, hiddenDropout: 0, attentionDropout: 0, frozenWeightsF16: true };
    const tm = new TrainableModel(rt, planPeft(model, parsePeftConfig({ methods: [{ type: 'full' }] }, model)), shape, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 }, 1);
    expect(tm.plan.base.filter((s) => tm.weights.get(s.name).dtype !== 'f32')).toEqual([]);
    expect(tm.weights.frozenF16).toBe(true);
  });
});

describe('frozen weights in 16 bits: the memory planner', () => {
  it('halves the frozen linear weights of codebert-base LoRA (q, v); embeddings and the rest stay f32', async () => {
    const codebert = PRESETS['microsoft/codebert-base'];
    const peft = parsePeftConfig({ methods: [{ type: 'lora', r: 64, alpha: 128, targets: ['query', 'value'] }] }, codebert);
    const recipe = { ...DEFAULT_RECIPE, batchSize: 2, codeLength: 16, nlLength: 8 }; // weights do not depend on the batch
    const off = await planStepMemory(codebert, peft, recipe);
    const on = await planStepMemory(codebert, peft, { ...recipe, frozenWeightsF16: true });
    const perLayer = LINEAR_SITES.reduce((n, site) => n + linearShape(codebert, site)[0] * linearShape(codebert, site)[1], 0);
    const linear = codebert.layers * perLayer + codebert.hidden ** 2; // 85,524,480 weights, the pooler's included
    expect(linear).toBe(85_524_480);
    expect(off.weights).toBe(124_645_632 * 4);
    expect(on.weights).toBe(off.weights - linear * 2);
    expect(on.total).toBe(off.total - linear * 2);
    expect(on.trainable).toBe(off.trainable);
    expect(on.activations).toBe(off.activations);
    const item = (p: typeof on, name: string) => p.breakdown.find((i) => i.name === name && i.category === 'weights');
    expect(item(on, 'encoder.layer.N.intermediate.dense.weight')?.bytes).toBe(item(off, 'encoder.layer.N.intermediate.dense.weight')!.bytes / 2);
    expect(item(on, 'embeddings.word_embeddings.weight')?.bytes).toBe(codebert.vocabSize * codebert.hidden * 4);
  });
});

describe('frozen weights in 16 bits: the setting', () => {
  const tiny = PRESETS.tiny;
  const flags = (...argv: string[]) => recipeFromFlags(new FlagReader(parseFlags(argv, RECIPE_FLAGS, 'train'), 'train'), tiny);

  it('is off by default, parses from a recipe, and rejects what is not a boolean', () => {
    expect(DEFAULT_RECIPE.frozenWeightsF16).toBe(false);
    expect(parseRecipe({}, tiny).frozenWeightsF16).toBe(false);
    expect(parseRecipe({ frozenWeightsF16: true }, tiny).frozenWeightsF16).toBe(true);
    expect(() => parseRecipe({ frozenWeightsF16: 'yes' }, tiny)).toThrow(ConfigError);
  });

  it('is the CLI flag --frozen-f16, listed in the help', () => {
    expect(flags().frozenWeightsF16).toBe(false);
    expect(flags('--frozen-f16').frozenWeightsF16).toBe(true);
    const saved = { ...DEFAULT_RECIPE, frozenWeightsF16: true };
    expect(recipeFromFlags(new FlagReader(parseFlags([], RECIPE_FLAGS, 'eval'), 'eval'), tiny, saved).frozenWeightsF16).toBe(true);
    expect(RECIPE_HELP).toMatch(/--frozen-f16 .*16 bits/);
  });
});
