import code from '../../../shaders/activation_backward.wgsl?raw';
import type { Dispatch, Runtime } from '../gpu/runtime';
import { grid1d } from '../gpu/runtime';
import { sizeOf, type Tensor } from '../gpu/tensor';
import { ACTIVATION_CODE, ACTIVATION_FLOPS, ACTIVATION_WG, type Activation } from './activation';
import { expectNumel } from './check';
import { shaderWith } from './lib';

const shader = shaderWith('activation_backward', code, 'activation');

export interface ActivationBackwardOptions {
  /** dinp += instead of dinp = (for an input whose gradient other kernels also produce). */
  readonly accumulate?: boolean;
}

/** dinp = dout ⊙ act'(inp), elementwise (written, or added with `accumulate`). */
export function activationBackward(
  rt: Runtime,
  dinp: Tensor,
  dout: Tensor,
  inp: Tensor,
  kind: Activation,
  options: ActivationBackwardOptions = {},
): Dispatch {
  const n = sizeOf(dinp);
  expectNumel('activationBackward', 'dout', dout, n);
  expectNumel('activationBackward', 'inp', inp, n);
  return rt.kernel({
    shader,
    constants: { N: n, ACT: ACTIVATION_CODE[kind], WG: ACTIVATION_WG, ACCUMULATE: options.accumulate ?? false },
    bindings: [
      [dinp, 'write'],
      [dout, 'read'],
      [inp, 'read'],
    ],
    workgroups: grid1d(n, ACTIVATION_WG),
    flops: (ACTIVATION_FLOPS[kind] + 2) * n,
  });
}
