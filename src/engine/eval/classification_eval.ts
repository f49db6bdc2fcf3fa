/**
 * Classification evaluation: every example of the set through the encoder and the classification head (no
 * dropout) in batches on the GPU, the logits (n, K) copied into one tensor and read back once, then the metrics
 * (classification_metrics.ts, scikit-learn's definitions) on the CPU.
 */
import { copyInto, type Runtime } from '../gpu/runtime';
import type { TrainableModel } from '../train/trainable_model';
import { classificationMetrics, type ClassificationMetrics } from './classification_metrics';
import type { EncodedSet } from './retrieval';

/** The logits (n, K) of every input of `set` (its `code` rows). */
export async function classifyAll(rt: Runtime, tm: TrainableModel, set: EncodedSet, batch: number): Promise<Float32Array> {
  const K = tm.plan.classes;
  if (K === null) throw new Error('classifyAll: the model has no classification head');
  if (set.n < 1) throw new Error('the evaluation set is empty');
  const { tower, head } = tm.classifier(batch);
  const T = tower.shape.T;
  const all = rt.tensor([set.n, K], 'eval.logits');
  rt.submit(tm.prefixForward());
  const forward = [...tower.inference(), ...head.forward(false)];
  for (let start = 0; start < set.n; start += batch) {
    const valid = Math.min(batch, set.n - start);
    // The tail's missing rows are all-pad inputs whose logits are never copied.
    const ids = new Uint32Array(batch * T).fill(tm.model.padTokenId);
    ids.set(set.code.subarray(start * T, (start + valid) * T));
    tower.setBatch(ids, 0);
    rt.submit([...forward, copyInto(all, start * K, head.logits, valid * K)]);
  }
  const [logits] = await rt.run([], [all]);
  rt.release(all);
  return logits!;
}

export async function evaluateClassification(rt: Runtime, tm: TrainableModel, set: EncodedSet, batch: number): Promise<{ metrics: ClassificationMetrics; logits: Float32Array }> {
  if (!set.labels) throw new Error('the evaluation set has no labels');
  const logits = await classifyAll(rt, tm, set, batch);
  return { metrics: classificationMetrics(logits, set.labels, tm.plan.classes!), logits };
}
