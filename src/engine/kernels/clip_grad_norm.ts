import code from '../../../shaders/clip_grad_norm.wgsl?raw';
import type { Dispatch, Runtime } from '../gpu/runtime';
import { ELEMENTWISE_WG } from '../gpu/runtime';
import { sizeOf, type Tensor } from '../gpu/tensor';
import { expectNumel } from './check';
import { rowReduce, rowShaders } from './lib';

const shaders = rowShaders('clip_grad_norm', code);
const WG = ELEMENTWISE_WG;

/**
 * out = [total_norm, clip_coef] from gradNorm's partials, as torch.nn.utils.clip_grad_norm_ computes them:
 * clip_coef = min(1, maxNorm / (total_norm + 1e-6)), NaN when total_norm is NaN or infinite. The gradients
 * are not rescaled: adamw multiplies each one by clip_coef (out[1]) as it reads it.
 */
export function clipGradNorm(rt: Runtime, out: Tensor, partials: Tensor, maxNorm: number): Dispatch {
  expectNumel('clip_grad_norm', 'out', out, 2);
  if (!(maxNorm > 0 && maxNorm <= 3.4e38)) throw new RangeError(`clip_grad_norm: maxNorm must be a positive finite f32, got ${maxNorm}`);
  const p = sizeOf(partials);
  return rt.kernel({
    shader: shaders[rowReduce(rt)],
    entryPoint: 'clip_grad_norm',
    constants: { P: p, MAX_NORM: maxNorm, WG },
    bindings: [
      [out, 'write'],
      [partials, 'read'],
    ],
    workgroups: [1, 1, 1],
    flops: p + 3,
  });
}
