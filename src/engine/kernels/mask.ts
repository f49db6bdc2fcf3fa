import code from '../../../shaders/mask.wgsl?raw';
import type { Dispatch, Runtime } from '../gpu/runtime';
import { ELEMENTWISE_WG, grid1d } from '../gpu/runtime';
import { sizeOf, type Tensor } from '../gpu/tensor';
import { expectNumel } from './check';

const shader = { name: 'mask', code };
const WG = ELEMENTWISE_WG;

/** x ← x ⊙ m in place (pruning: m is 1 where a weight is kept, 0 where it is pruned). */
export function mask(rt: Runtime, x: Tensor, m: Tensor): Dispatch {
  const n = sizeOf(x);
  expectNumel('mask', 'm', m, n);
  return rt.kernel({
    shader,
    constants: { N: n, WG },
    bindings: [
      [x, 'write'],
      [m, 'read'],
    ],
    workgroups: grid1d(n, WG),
    flops: n,
  });
}
