/**
 * The CodeXGLUE code-search objective: scores = scale · nl · codeᵀ over the batch (in-batch negatives),
 * cross-entropy with the diagonal as targets. Backward writes each tower's dvec.
 */
import type { Runtime, StepCommand } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { crossEntropy } from '../kernels/cross_entropy';
import { crossEntropyBackward } from '../kernels/cross_entropy_backward';
import { matmul } from '../kernels/matmul';
import type { Head } from '../model/head';

export class ContrastiveObjective {
  readonly scores: Tensor; // (B, B) nl · codeᵀ · scale
  readonly loss: Tensor; // (1) mean cross-entropy
  private readonly losses: Tensor; // (B)
  private readonly lse: Tensor; // (B) saved logsumexp
  private readonly targets: Tensor; // (B) u32: i
  private readonly weights: Tensor; // (B) 1/B: the mean over queries
  private readonly dloss: Tensor; // (1) = 1
  private readonly dscores: Tensor; // (B, B)

  constructor(
    private readonly rt: Runtime,
    readonly B: number,
    readonly C: number,
    readonly scale: number,
  ) {
    this.scores = rt.tensor([B, B], 'scores');
    this.loss = rt.tensor([1], 'loss');
    this.losses = rt.tensor([B], 'losses');
    this.lse = rt.tensor([B], 'lse');
    this.targets = rt.tensorFrom(Uint32Array.from({ length: B }, (_, i) => i), [B], 'targets');
    this.weights = rt.tensorFrom(new Float32Array(B).fill(1 / B), [B], 'rowWeights');
    this.dloss = rt.tensorFrom(Float32Array.of(1), [1], 'dloss');
    this.dscores = rt.tensor([B, B], 'dscores');
  }

  forward(code: Head, nl: Head): StepCommand[] {
    const { rt, B, C } = this;
    return [
      matmul(rt, this.scores, nl.vec, code.vec, null, { M: B, N: B, K: C, transB: true, alpha: this.scale }),
      ...crossEntropy(rt, this.loss, this.losses, this.lse, this.scores, this.targets, this.weights),
    ];
  }

  /** d(nl.vec) = scale · dS · code, d(code.vec) = scale · dSᵀ · nl. */
  backward(code: Head, nl: Head): StepCommand[] {
    const { rt, B, C } = this;
    return [
      crossEntropyBackward(rt, this.dscores, this.dloss, this.scores, this.lse, this.targets, this.weights),
      matmul(rt, nl.dvec, this.dscores, code.vec, null, { M: B, N: C, K: B, alpha: this.scale }),
      matmul(rt, code.dvec, this.dscores, nl.vec, null, { M: B, N: C, K: B, transA: true, alpha: this.scale }),
    ];
  }
}
