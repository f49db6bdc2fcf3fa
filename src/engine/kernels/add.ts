import code from '../../../shaders/add.wgsl?raw';
import type { Dispatch, Runtime } from '../gpu/runtime';
import { ELEMENTWISE_WG, grid1d } from '../gpu/runtime';
import { sizeOf, type Tensor } from '../gpu/tensor';
import { expectNumel } from './check';

const shader = { name: 'add', code };
const WG = ELEMENTWISE_WG;

/** out = a + b (residual add). */
export function add(rt: Runtime, out: Tensor, a: Tensor, b: Tensor): Dispatch {
  const n = sizeOf(out);
  expectNumel('add', 'a', a, n);
  expectNumel('add', 'b', b, n);
  return rt.kernel({
    shader,
    constants: { N: n, WG },
    bindings: [
      [out, 'write'],
      [a, 'read'],
      [b, 'read'],
    ],
    workgroups: grid1d(n, WG),
    flops: n,
  });
}
