/**
 * The sequence-classification objective: cross-entropy of the head's logits (B, K) against the batch's labels,
 * the mean over the batch as transformers' RobertaForSequenceClassification computes it, or with class weights
 * PyTorch's weighted mean Σ w[y_r]·loss_r / Σ w[y_r] — both as one row weight per example (lossRowWeights).
 */
import type { Runtime, StepCommand } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { crossEntropy } from '../kernels/cross_entropy';
import { crossEntropyBackward } from '../kernels/cross_entropy_backward';
import type { ClassifierHead } from '../model/classifier';

/** Each example's weight in the batch loss: 1/B, or its class weight over the batch's sum of class weights. */
export function lossRowWeights(labels: ArrayLike<number>, classWeights: ArrayLike<number> | null): Float32Array {
  const B = labels.length;
  if (!classWeights) return new Float32Array(B).fill(1 / B);
  let sum = 0;
  for (let r = 0; r < B; r++) sum += classWeights[labels[r]!]!;
  // A batch whose classes all weigh 0 has no loss to take a mean of (PyTorch gives NaN): it contributes nothing.
  return Float32Array.from({ length: B }, (_, r) => (sum > 0 ? classWeights[labels[r]!]! / sum : 0));
}

export class ClassificationObjective {
  readonly loss: Tensor; // (1) the (weighted) mean cross-entropy
  private readonly losses: Tensor; // (B) per example
  private readonly lse: Tensor; // (B) saved logsumexp
  private readonly targets: Tensor; // (B) u32 class indices
  private readonly weights: Tensor; // (B) row weights of the batch's loss
  private readonly dloss: Tensor; // (1) = 1

  constructor(
    private readonly rt: Runtime,
    readonly B: number,
    /** Per-class loss weights (null: the plain mean). */
    private readonly classWeights: Float64Array | null,
  ) {
    this.loss = rt.tensor([1], 'cls.loss');
    this.losses = rt.tensor([B], 'cls.losses');
    this.lse = rt.tensor([B], 'cls.lse');
    this.targets = rt.tensor([B], 'cls.targets', 'u32');
    this.weights = rt.tensor([B], 'cls.rowWeights');
    this.dloss = rt.tensorFrom(Float32Array.of(1), [1], 'cls.dloss');
  }

  /** Uploads the batch's labels (B) and their row weights. */
  setBatch(labels: Uint32Array): void {
    this.rt.write(this.targets, labels);
    this.rt.write(this.weights, lossRowWeights(labels, this.classWeights));
  }

  forward(head: ClassifierHead): StepCommand[] {
    return crossEntropy(this.rt, this.loss, this.losses, this.lse, head.logits, this.targets, this.weights);
  }

  backward(head: ClassifierHead): StepCommand[] {
    return [crossEntropyBackward(this.rt, head.dlogits, this.dloss, head.logits, this.lse, this.targets, this.weights)];
  }
}
