import code from '../../../shaders/adamw.wgsl?raw';
import type { Dispatch, Runtime } from '../gpu/runtime';
import { ELEMENTWISE_WG, grid1d } from '../gpu/runtime';
import { sizeOf, type Tensor } from '../gpu/tensor';
import { expectNumel } from './check';

const shader = { name: 'adamw', code };
const WG = ELEMENTWISE_WG;

/** One AdamW step's hyperparameters (torch.optim.AdamW names); `step` counts from 1. */
export type { AdamWStep } from '../../ops/adamw';
import type { AdamWStep } from '../../ops/adamw';

/** f32 words in the adamw uniform: [lr, 1 − beta1, 1 − beta2, eps, weightDecay, bc1, bc2, 0]. */
export const ADAMW_UNIFORM_WORDS = 8;

/**
 * The adamw uniform's contents for one step: [lr, 1 − beta1, 1 − beta2, eps, weightDecay, bc1, bc2, 0], with
 * the complements and the bias corrections bc1 = 1 − beta1^step, bc2 = 1 − beta2^step computed here in
 * float64 (1 − f32(0.999) would be 1.3e-5 relative off). The trainer writes it into
 * rt.uniform(ADAMW_UNIFORM_WORDS) with rt.write before each step, one uniform per weight-decay group.
 */
export function adamwUniform(hp: AdamWStep): Float32Array {
  if (!(Number.isInteger(hp.step) && hp.step >= 1)) throw new RangeError(`adamw: step must be an integer >= 1, got ${hp.step}`);
  const bc1 = 1 - hp.beta1 ** hp.step;
  const bc2 = 1 - hp.beta2 ** hp.step;
  return Float32Array.of(hp.lr, 1 - hp.beta1, 1 - hp.beta2, hp.eps, hp.weightDecay, bc1, bc2, 0);
}

/**
 * One AdamW step over a flat parameter group: params, m, v updated in place from grads · norm[1], where norm
 * is clipGradNorm's [total_norm, clip_coef] (write [0, 1] into it to train without clipping) and hp the
 * uniform holding adamwUniform's words.
 */
export function adamw(rt: Runtime, params: Tensor, m: Tensor, v: Tensor, grads: Tensor, norm: Tensor, hp: Tensor): Dispatch {
  const n = sizeOf(params);
  expectNumel('adamw', 'm', m, n);
  expectNumel('adamw', 'v', v, n);
  expectNumel('adamw', 'grads', grads, n);
  expectNumel('adamw', 'norm', norm, 2);
  expectNumel('adamw', 'hp', hp, ADAMW_UNIFORM_WORDS);
  return rt.kernel({
    shader,
    constants: { N: n, WG },
    bindings: [
      [params, 'write'],
      [m, 'write'],
      [v, 'write'],
      [grads, 'read'],
      [norm, 'read'],
      [hp, 'uniform'],
    ],
    workgroups: grid1d(n, WG),
    flops: 16 * n,
  });
}
