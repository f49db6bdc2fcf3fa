import code from '../../../shaders/activation.wgsl?raw';
import type { Dispatch, Runtime } from '../gpu/runtime';
import { ELEMENTWISE_WG, grid1d } from '../gpu/runtime';
import { sizeOf, type Tensor } from '../gpu/tensor';
import { expectNumel } from './check';
import { shaderWith } from './lib';

/** The elementwise activations: 'gelu' is the erf form (PyTorch nn.GELU(), HF "gelu"), 'swish' is SiLU. */
export type { Activation } from '../../ops/activation';
import type { Activation } from '../../ops/activation';

export const ACTIVATIONS: readonly Activation[] = ['gelu', 'relu', 'swish', 'tanh'];

/** The ACT override constant of activation.wgsl and activation_backward.wgsl. */
export const ACTIVATION_CODE: Readonly<Record<Activation, number>> = { gelu: 0, relu: 1, swish: 2, tanh: 3 };

/** Rough flops per element, for the profiler. */
export const ACTIVATION_FLOPS: Readonly<Record<Activation, number>> = { gelu: 24, relu: 1, swish: 6, tanh: 6 };

/** Workgroup size of the activation kernels (forward and backward). */
export const ACTIVATION_WG = ELEMENTWISE_WG;

const shader = shaderWith('activation', code, 'activation');

/** out = act(inp), elementwise. */
export function activation(rt: Runtime, out: Tensor, inp: Tensor, kind: Activation): Dispatch {
  const n = sizeOf(out);
  expectNumel('activation', 'inp', inp, n);
  return rt.kernel({
    shader,
    constants: { N: n, ACT: ACTIVATION_CODE[kind], WG: ACTIVATION_WG },
    bindings: [
      [out, 'write'],
      [inp, 'read'],
    ],
    workgroups: grid1d(n, ACTIVATION_WG),
    flops: ACTIVATION_FLOPS[kind] * n,
  });
}
