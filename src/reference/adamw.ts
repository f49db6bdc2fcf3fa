import type { AdamWStep } from '../ops/adamw';
import type { Vec } from './types';

/**
 * One torch.optim.AdamW step over n elements, in place, with each gradient scaled by clipCoef as it is read
 * (clip_grad_norm_'s factor; 1 without clipping).
 */
export function adamw(params: Vec, grads: Vec, m: Vec, v: Vec, n: number, hp: AdamWStep, clipCoef: number): void {
  const bc1 = 1 - hp.beta1 ** hp.step;
  const bc2 = 1 - hp.beta2 ** hp.step;
  const stepSize = hp.lr / bc1;
  const decay = 1 - hp.lr * hp.weightDecay;
  for (let i = 0; i < n; i++) {
    // Decay first, stored on its own like torch's param.mul_(1 − lr·wd), so f32 arrays round where torch does.
    params[i] = params[i]! * decay;
    const g = grads[i]! * clipCoef;
    m[i] = hp.beta1 * m[i]! + (1 - hp.beta1) * g;
    v[i] = hp.beta2 * v[i]! + (1 - hp.beta2) * g * g;
    const denom = Math.sqrt(v[i]!) / Math.sqrt(bc2) + hp.eps;
    params[i] = params[i]! - (stepSize * m[i]!) / denom;
  }
}
