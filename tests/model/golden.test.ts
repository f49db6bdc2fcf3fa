/**
 * The whole engine against the real transformers.RobertaModel + peft (tools/pyref/make_golden.py; LoRA and
 * prefix-tuning are peft's own, adapters/BitFit/Telly/LWO the lab's methods on RobertaModel from
 * lab_methods.py): for every PEFT method and one combination, the
 * step-0 embeddings, the loss and grad norm of 3 steps, every trainable gradient at step 0 and every
 * trainable tensor after 3 AdamW steps (dropout off, float32 on both sides).
 *
 * Tolerances (the fixture's own float32-vs-float64 spread is ≤ 2e-6 on everything but the unstable tensors):
 *   embeddings and losses: atol 1e-5 · gradients: atol 1e-5 + rtol 1e-4 · grad norms: rtol 1e-4 ·
 *   final values: atol 1e-4 (three Adam steps at lr 1e-2 amplify f32 rounding of tiny gradients).
 * "Unstable" tensors (attention key biases: their true gradient is exactly 0, softmax is shift-invariant) are
 * checked to have a zero gradient and to have moved by at most lr per step, not against PyTorch's noise.
 */
import { describe, expect, it } from 'vitest';
import { parsePeftConfig } from '../../src/engine/peft/parse';
import { planPeft } from '../../src/engine/peft/plan';
import { TrainableModel } from '../../src/engine/train/trainable_model';
import { linearWarmupFactor } from '../../src/engine/train/schedule';
import { specNumel } from '../../src/engine/model/params';
import { expectClose } from '../helpers/compare';
import { testRuntime } from '../helpers/gpu';
import { f32, goldenBatch, goldenCase, GOLDEN_CASES, goldenConfig, goldenTensors } from './golden';

describe.each(GOLDEN_CASES)('golden: %s', (name) => {
  it('matches transformers/peft: embeddings, losses, grad norms, step-0 gradients, weights after 3 AdamW steps', async () => {
    const rt = await testRuntime();
    const model = goldenConfig();
    const { meta, tensors } = goldenCase(name);
    const base = goldenTensors('base.safetensors');
    const batches = goldenTensors('batches.safetensors');
    const peft = parsePeftConfig(meta.peft, model);
    const opt = meta.optimizer;
    const tm = new TrainableModel(
      rt,
      planPeft(model, peft),
      {
        batchSize: meta.batch.size,
        codeLength: meta.batch.codeLength,
        nlLength: meta.batch.nlLength,
        head: { pooling: meta.pooling, normalize: meta.normalize },
        scale: meta.scale,
        hiddenDropout: 0,
        attentionDropout: 0,
      },
      { beta1: opt.betas[0], beta2: opt.betas[1], eps: opt.eps, weightDecay: opt.weightDecay, maxGradNorm: opt.maxGradNorm },
      123456,
    );
    expect(tm.plan.trainable.map((s) => s.name).sort()).toEqual([...meta.trainable].sort());
    const init = new Map<string, Float32Array>();
    for (const [k, t] of base.tensors) init.set(k, t.data as Float32Array);
    for (const [k, t] of tensors.tensors) if (k.startsWith('init.')) init.set(k.slice(5), t.data as Float32Array);
    tm.weights.load(init);

    const flat = tm.weights.flat!;
    let gradsAt0: Float32Array | null = null;
    for (let step = 0; step < meta.batch.steps; step++) {
      const lr = opt.lr * linearWarmupFactor(step, meta.schedule.warmupSteps, meta.schedule.totalSteps);
      expect(lr).toBeCloseTo(meta.schedule.lrs[step]!, 12);
      const r = await tm.step(goldenBatch(batches, 'code_ids', step), goldenBatch(batches, 'nl_ids', step), step, lr);
      expect(Math.abs(r.loss - meta.losses[step]!), `loss at step ${step}: ${r.loss} vs ${meta.losses[step]}`).toBeLessThan(1e-5);
      expect(Math.abs(r.gradNorm / meta.gradNorms[step]! - 1), `grad norm at step ${step}: ${r.gradNorm} vs ${meta.gradNorms[step]}`).toBeLessThan(1e-4);
      if (step === 0) {
        const [codeVec, nlVec, grads] = await rt.run([], [tm.training.code.head.vec, tm.training.nl.head.vec, flat.grads]);
        expectClose(codeVec!, f32(tensors, 'code_vec'), { atol: 1e-5, rtol: 0 }, 'code_vec');
        expectClose(nlVec!, f32(tensors, 'nl_vec'), { atol: 1e-5, rtol: 0 }, 'nl_vec');
        gradsAt0 = grads!;
      }
    }
    const [params] = await rt.run([], [flat.params]);
    for (const slot of tm.weights.slots) {
      const n = specNumel(slot.spec);
      const grad = gradsAt0!.subarray(slot.offset, slot.offset + n);
      const final = params!.subarray(slot.offset, slot.offset + n);
      const nameT = slot.spec.name;
      if (meta.unstable.includes(nameT)) {
        expectClose(grad, new Float32Array(n), { atol: 1e-6, rtol: 0 }, `grad.${nameT} (exactly 0 in exact arithmetic)`);
        const start = init.get(nameT)!;
        const moved = final.map((v, i) => Math.abs(v - start[i]!));
        expect(Math.max(...moved), `${nameT} moved at most lr per step`).toBeLessThanOrEqual(3 * opt.lr * 1.01);
        continue;
      }
      // LWO: tensors outside step 0's active layer had no gradient in PyTorch, and must cost none here.
      const want = tensors.tensors.has(`grad.${nameT}`) ? f32(tensors, `grad.${nameT}`) : new Float32Array(n);
      expectClose(grad, want, { atol: 1e-5, rtol: 1e-4 }, `grad.${nameT}`);
      expectClose(final, f32(tensors, `final.${nameT}`), { atol: 1e-4, rtol: 0 }, `final.${nameT}`);
    }
  });
});
