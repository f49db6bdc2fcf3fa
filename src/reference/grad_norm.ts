import type { Vec } from './types';

/** sqrt(Σ g²) over the flat gradient buffer, accumulated in float64. */
export function gradNorm(grads: Vec, n: number): number {
  let acc = 0;
  for (let i = 0; i < n; i++) acc += grads[i]! * grads[i]!;
  return Math.sqrt(acc);
}

/** torch.nn.utils.clip_grad_norm_'s factor, except that a NaN or infinite norm gives NaN (the trainer's alarm). */
export function clipCoef(totalNorm: number, maxNorm: number): number {
  if (!Number.isFinite(totalNorm)) return NaN;
  return Math.min(1, maxNorm / (totalNorm + 1e-6));
}

/** out = [total_norm, clip_coef]; the gradients themselves are left as they are (AdamW applies clip_coef). */
export function clipGradNorm(out: Vec, grads: Vec, n: number, maxNorm: number): void {
  const total = gradNorm(grads, n);
  out[0] = total;
  out[1] = clipCoef(total, maxNorm);
}
