/**
 * The training loop on the tiny golden model: learning (MRR on held-out pairs rises), determinism (same seed,
 * same numbers, dropout on), divergence reported as an error event, and backward truncation (Telly-K with
 * larger K does less GPU work per step).
 */
import { planPeft, type PeftPlan } from '../../src/engine/peft/plan';
import { describe, expect, it } from 'vitest';
import { evaluateRetrieval, type EncodedSet } from '../../src/engine/eval/retrieval';
import { parsePeftConfig } from '../../src/engine/peft/parse';
import type { TrainerEvent } from '../../src/engine/train/events';
import { runTraining, type TrainerConfig } from '../../src/engine/train/trainer';
import { TrainableModel } from '../../src/engine/train/trainable_model';
import { testRuntime } from '../helpers/gpu';
import { Rng } from '../helpers/random';
import { goldenConfig, goldenTensors } from './golden';

const model = goldenConfig();
const base = new Map([...goldenTensors('base.safetensors').tensors].map(([k, t]) => [k, t.data as Float32Array]));
const recipe = { batchSize: 4, codeLength: 10, nlLength: 7, head: { pooling: 'pooler' as const, normalize: false }, scale: 1, hiddenDropout: 0, attentionDropout: 0 };

/**
 * A learnable toy task: pair i is about a "topic" of 3 token ids; its code holds the topic among noise, its
 * query is the topic. Matching queries to code means learning token overlap.
 */
function toySet(n: number, seed: number): EncodedSet {
  const rng = new Rng(seed);
  const code = new Uint32Array(n * 10).fill(1);
  const nl = new Uint32Array(n * 7).fill(1);
  for (let i = 0; i < n; i++) {
    const topic = [rng.int(3, 50), rng.int(3, 50), rng.int(3, 50)];
    const c = [0, topic[0]!, rng.int(3, 50), topic[1]!, rng.int(3, 50), topic[2]!, 2];
    code.set(c, i * 10);
    nl.set([0, ...topic, 2], i * 7);
  }
  return { n, code, nl };
}

function config(overrides: Omit<Partial<TrainerConfig>, 'peft'> & { peft: unknown }): TrainerConfig {
  return {
    task: { kind: 'code-search' },
    recipe,
    lr: 5e-3,
    weightDecay: 0,
    maxGradNorm: 1,
    warmupSteps: 2,
    steps: 8,
    epochs: 1,
    seed: 7,
    shuffle: true,
    evalEvery: 0,
    evalBatchSize: 8,
    ...overrides,
    peft: parsePeftConfig(overrides.peft, model),
  };
}

/** runTraining's plan, initial weights and config for a config (the plan made once, as the CLI and Worker do). */
function planned(cfg: TrainerConfig, initial: ReadonlyMap<string, Float32Array>): [PeftPlan, ReadonlyMap<string, Float32Array>, TrainerConfig] {
  return [planPeft(model, cfg.peft), initial, cfg];
}

describe('trainer', () => {
  it('learns: MRR on held-out pairs rises and the best weights are kept', { timeout: 300_000 }, async () => {
    const rt = await testRuntime();
    const events: TrainerEvent[] = [];
    const valid = toySet(24, 2);
    const before = await untrainedMrr(valid);
    const out = await runTraining(rt, ...planned(config({ peft: { methods: [{ type: 'full' }] }, steps: 40, lr: 2e-3, evalEvery: 20 }), base), { train: toySet(64, 1), valid }, (e) => events.push(e));
    const evals = events.filter((e) => e.type === 'eval');
    expect(evals.map((e) => e.step)).toEqual([20, 40]);
    expect(Math.max(...evals.map((e) => (e.task === 'classification' ? 0 : e.mrr))), `MRR before training: ${before}`).toBeGreaterThan(before + 0.15);
    expect(out.best).not.toBeNull();
    expect(events.at(-1)).toMatchObject({ type: 'done', steps: 40, stopped: false });
    const steps = events.filter((e) => e.type === 'step');
    expect(steps).toHaveLength(40);
    expect(steps.every((e) => Number.isFinite(e.loss) && e.tokens_per_s > 0)).toBe(true);
  });

  it('is deterministic: same seed and data give the same numbers (dropout on); another seed differs', async () => {
    const rt = await testRuntime();
    const run = async (seed: number) => {
      const losses: number[] = [];
      const dropRecipe = { ...recipe, hiddenDropout: 0.1, attentionDropout: 0.1 };
      const cfg = config({ peft: { methods: [{ type: 'lora', r: 4, alpha: 8, dropout: 0.1, targets: ['query', 'value'] }] }, recipe: dropRecipe, seed });
      const init = new Map(base);
      const tmp = new TrainableModel(rt, planPeft(model, cfg.peft), dropRecipe, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 }, 3);
      const r = new Rng(99);
      for (const spec of tmp.plan.added) init.set(spec.name, Float32Array.from({ length: spec.shape.reduce((a, b) => a * b, 1) }, () => r.normal() * 0.05));
      const out = await runTraining(rt, planPeft(model, cfg.peft), init, cfg, { train: toySet(32, 1), valid: null }, (e) => e.type === 'step' && losses.push(e.loss));
      return { losses, final: out.final };
    };
    const a = await run(11);
    const b = await run(11);
    const c = await run(12);
    expect(b.losses).toEqual(a.losses);
    for (const [name, value] of a.final) expect([...b.final.get(name)!], name).toEqual([...value]);
    expect(c.losses).not.toEqual(a.losses);
  });

  it('stops with a clear error event when the loss becomes NaN', async () => {
    const rt = await testRuntime();
    const poisoned = new Map(base);
    poisoned.set('encoder.layer.1.output.dense.weight', new Float32Array(base.get('encoder.layer.1.output.dense.weight')!.length).fill(Number.NaN));
    const events: TrainerEvent[] = [];
    await expect(runTraining(rt, ...planned(config({ peft: { methods: [{ type: 'bitfit' }] } }), poisoned), { train: toySet(16, 1), valid: null }, (e) => events.push(e))).rejects.toThrow(/diverged/);
    const error = events.find((e) => e.type === 'error');
    expect(error).toMatchObject({ type: 'error', step: 1 });
    expect(error && 'message' in error ? error.message : '').toMatch(/Lower the learning rate/);
  });

  it('truncates the backward: Telly-K with larger K dispatches less GPU work per step', async () => {
    const rt = await testRuntime();
    const adam = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 };
    const cost = (peft: unknown) => new TrainableModel(rt, planPeft(model, parsePeftConfig(peft, model)), recipe, adam, 1).stepCost(0);
    const full = cost({ methods: [{ type: 'full' }] });
    const telly = [0, 1, 2].map((k) => cost({ methods: [{ type: 'telly', k }] }));
    expect(full.dispatches).toBeGreaterThan(telly[0]!.dispatches); // no embedding backward
    expect(telly[0]!.dispatches).toBeGreaterThan(telly[1]!.dispatches);
    expect(telly[1]!.dispatches).toBeGreaterThan(telly[2]!.dispatches);
    expect(telly[0]!.flops).toBeGreaterThan(telly[1]!.flops);
    expect(telly[1]!.flops).toBeGreaterThan(telly[2]!.flops);
    console.log('dispatches/step full, telly 0-2:', full.dispatches, telly.map((t) => t.dispatches), 'flops:', full.flops, telly.map((t) => t.flops));
  });
});

async function untrainedMrr(valid: EncodedSet): Promise<number> {
  const rt = await testRuntime();
  const adam = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 };
  const tm = new TrainableModel(rt, planPeft(model, parsePeftConfig({ methods: [{ type: 'full' }] }, model)), recipe, adam, 1);
  tm.weights.load(base);
  return (await evaluateRetrieval(rt, tm, valid, 8)).metrics.mrr;
}
