/**
 * Classification runs against the real transformers.RobertaForSequenceClassification (tools/pyref/make_golden_cls.py;
 * LoRA is peft's, with the head trained as modules_to_save; adapters and BitFit the lab's methods from
 * lab_methods.py on the model's `roberta`; prefix-tuning peft's, SEQ_CLS): the step-0 logits, the loss and grad norm of 3 AdamW steps, every
 * trainable gradient at step 0 (the head's included) and every trainable tensor after 3 steps — single and pair
 * inputs, 2 and 3 classes, and torch's class-weighted cross-entropy. Tolerances as tests/model/golden.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSafeTensors, type SafeTensorsFile } from '../../src/engine/io/safetensors';
import { specNumel } from '../../src/engine/model/params';
import { parsePeftConfig } from '../../src/engine/peft/parse';
import { planPeft } from '../../src/engine/peft/plan';
import { linearWarmupFactor } from '../../src/engine/train/schedule';
import { TrainableModel } from '../../src/engine/train/trainable_model';
import { expectClose } from '../helpers/compare';
import { testRuntime } from '../helpers/gpu';
import { GOLDEN_DIR } from '../helpers/pyref_paths';
import { f32, goldenConfig, goldenTensors } from './golden';

interface ClsCase {
  readonly classes: number;
  readonly peft: unknown;
  readonly classWeights: number[] | null;
  readonly batch: { readonly size: number; readonly length: number; readonly steps: number };
  readonly optimizer: { readonly lr: number; readonly betas: [number, number]; readonly eps: number; readonly weightDecay: number; readonly maxGradNorm: number };
  readonly schedule: { readonly warmupSteps: number; readonly totalSteps: number };
  readonly trainable: string[];
  readonly unstable: string[];
  readonly losses: number[];
  readonly gradNorms: number[];
}

function i32Rows(file: SafeTensorsFile, name: string, step: number): Uint32Array {
  const t = file.tensors.get(name);
  if (!t || !(t.data instanceof Int32Array)) throw new Error(`fixture has no i32 tensor "${name}"`);
  const per = t.shape.slice(1).reduce((a, b) => a * b, 1);
  return Uint32Array.from(t.data.subarray(step * per, (step + 1) * per));
}

describe.each(['cls_lora', 'cls_adapter_weighted', 'cls_bitfit_pair', 'cls_prefix'])('classification golden: %s', (name) => {
  it('matches RobertaForSequenceClassification: logits, losses, grad norms, step-0 gradients, weights after 3 AdamW steps', async () => {
    const rt = await testRuntime();
    const model = goldenConfig();
    const meta = JSON.parse(readFileSync(join(GOLDEN_DIR, 'cls', `${name}.json`), 'utf8')) as ClsCase;
    const tensors = readSafeTensors(new Uint8Array(readFileSync(join(GOLDEN_DIR, 'cls', `${name}.safetensors`))), name);
    const base = goldenTensors('base.safetensors');
    const opt = meta.optimizer;
    const { size, length, steps } = meta.batch;
    const plan = planPeft(model, parsePeftConfig(meta.peft, model), meta.classes);
    const shape = { batchSize: size, codeLength: length, nlLength: 3, head: { pooling: 'cls' as const, normalize: false }, scale: 1, hiddenDropout: 0, attentionDropout: 0, classWeights: meta.classWeights ? Float64Array.from(meta.classWeights) : null };
    const adam = { beta1: opt.betas[0], beta2: opt.betas[1], eps: opt.eps, weightDecay: opt.weightDecay, maxGradNorm: opt.maxGradNorm };
    const tm = new TrainableModel(rt, plan, shape, adam, 123456);
    expect(plan.trainable.map((s) => s.name).sort()).toEqual([...meta.trainable].sort());
    const init = new Map<string, Float32Array>();
    for (const [k, t] of base.tensors) init.set(k, t.data as Float32Array);
    for (const [k, t] of tensors.tensors) if (k.startsWith('init.')) init.set(k.slice(5), t.data as Float32Array);
    tm.weights.load(init);

    const flat = tm.weights.flat!;
    let gradsAt0: Float32Array | null = null;
    for (let step = 0; step < steps; step++) {
      const lr = opt.lr * linearWarmupFactor(step, meta.schedule.warmupSteps, meta.schedule.totalSteps);
      const r = await tm.classifyStep(i32Rows(tensors, 'ids', step), i32Rows(tensors, 'labels', step), step, lr);
      expect(Math.abs(r.loss - meta.losses[step]!), `loss at step ${step}: ${r.loss} vs ${meta.losses[step]}`).toBeLessThan(1e-5);
      expect(Math.abs(r.gradNorm / meta.gradNorms[step]! - 1), `grad norm at step ${step}: ${r.gradNorm} vs ${meta.gradNorms[step]}`).toBeLessThan(1e-4);
      if (step === 0) {
        const [logits, grads] = await rt.run([], [tm.classification.head.logits, flat.grads]);
        expectClose(logits!, f32(tensors, 'logits0'), { atol: 1e-5, rtol: 0 }, 'logits');
        gradsAt0 = grads!;
      }
    }
    const [params] = await rt.run([], [flat.params]);
    for (const slot of tm.weights.slots) {
      const n = specNumel(slot.spec);
      const id = slot.spec.name;
      const grad = gradsAt0!.subarray(slot.offset, slot.offset + n);
      const final = params!.subarray(slot.offset, slot.offset + n);
      if (meta.unstable.includes(id)) {
        // Attention key biases: exactly 0 gradient in exact arithmetic (softmax is shift-invariant).
        expectClose(grad, new Float32Array(n), { atol: 1e-6, rtol: 0 }, `grad.${id} (exactly 0 in exact arithmetic)`);
        continue;
      }
      expectClose(grad, f32(tensors, `grad.${id}`), { atol: 1e-5, rtol: 1e-4 }, `grad.${id}`);
      expectClose(final, f32(tensors, `final.${id}`), { atol: 1e-4, rtol: 0 }, `final.${id}`);
    }
  });
});
