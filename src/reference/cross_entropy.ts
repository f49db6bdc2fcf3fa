import type { Vec } from './types';

/**
 * loss[0] = mean_r (logsumexp(logits_r) − logits_r[targets_r]) over (R, C) logits; losses (R) per row and
 * lse (R) saved for the backward. A target ≥ C gives a NaN row loss, as the shader does.
 */
export function crossEntropy(loss: Vec, losses: Vec, lse: Vec, logits: Vec, targets: ArrayLike<number>, R: number, C: number): void {
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
    total += losses[r]!;
  }
  loss[0] = total / R;
}

/** dlogits[r, c] = dloss[0] · (softmax(logits_r)_c − [c = targets_r]) / R, written. */
export function crossEntropyBackward(dlogits: Vec, dloss: Vec, logits: Vec, lse: Vec, targets: ArrayLike<number>, R: number, C: number): void {
  const scale = dloss[0]! / R;
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) {
      const i = r * C + c;
      const onehot = c === targets[r] ? 1 : 0;
      dlogits[i] = scale * (Math.exp(logits[i]! - lse[r]!) - onehot);
    }
  }
}
