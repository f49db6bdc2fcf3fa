import code from '../../../shaders/channel_scale.wgsl?raw';
import type { Dispatch, Runtime } from '../gpu/runtime';
import { ELEMENTWISE_WG, grid1d } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { expectNumel, expectPositive } from './check';

const shader = { name: 'channel_scale', code };
const WG = ELEMENTWISE_WG;

/**
 * out (rows, C) (+)= x (rows, C) ⊙ s (C) broadcast over rows: (IA)³'s scaling of a linear's input or output, and
 * (accumulating) its input gradient dy ⊙ s.
 */
export function channelScale(rt: Runtime, out: Tensor, x: Tensor, s: Tensor, rows: number, C: number, accumulate = false): Dispatch {
  expectPositive('channelScale', { rows, C });
  expectNumel('channelScale', 'out', out, rows * C);
  expectNumel('channelScale', 'x', x, rows * C);
  expectNumel('channelScale', 's', s, C);
  const n = rows * C;
  return rt.kernel({
    shader,
    constants: { N: n, C, ACCUMULATE: accumulate, WG },
    bindings: [
      [out, 'write'],
      [x, 'read'],
      [s, 'read'],
    ],
    workgroups: grid1d(n, WG),
    flops: accumulate ? 2 * n : n,
  });
}
