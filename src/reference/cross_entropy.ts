import type { Vec } from './types';

/**
 * loss[0] = Σ_r weights_r · (logsumexp(logits_r) − logits_r[targets_r]) over (R, C) logits (weights 1/R: the
 * mean); losses (R) per row and lse (R) saved for the backward. A target ≥ C gives a NaN row loss, as the shader.
 */
export function crossEntropy(loss: Vec, losses: Vec, lse: Vec, logits: Vec, targets: ArrayLike<number>, weights: ArrayLike<number>, R: number, C: number): void {
  let total = 0;
  for (let r = 0; r < R; r++) {
    const row = r * C;
    let max = -Infinity;
    for (let c = 0; c < C; c++) max = Math.max(max, logits[row + c]!);
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(logits[row + c]! - max);
    const l = max + Math.log(s);
    const t = targets[r]!;
    lse[r] = l;
    losses[r] = t < C ? l - logits[row + t]! : NaN;
    total += weights[r]! * losses[r]!;
  }
  loss[0] = total;
}

/** dlogits[r, c] = dloss[0] · weights_r · (softmax(logits_r)_c − [c = targets_r]), written. */
export function crossEntropyBackward(dlogits: Vec, dloss: Vec, logits: Vec, lse: Vec, targets: ArrayLike<number>, weights: ArrayLike<number>, R: number, C: number): void {
  for (let r = 0; r < R; r++) {
    const scale = dloss[0]! * weights[r]!;
    for (let c = 0; c < C; c++) {
      const i = r * C + c;
      const onehot = c === targets[r] ? 1 : 0;
      dlogits[i] = scale * (Math.exp(logits[i]! - lse[r]!) - onehot);
    }
  }
}

