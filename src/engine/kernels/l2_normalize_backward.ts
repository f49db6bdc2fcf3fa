import code from '../../../shaders/l2_normalize_backward.wgsl?raw';
import type { Dispatch, Runtime } from '../gpu/runtime';
import { grid1d } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { L2_NORMALIZE_EPS } from '../../ops/l2_normalize';
import { checkL2Shapes } from './l2_normalize';
import { rowWorkgroupSize } from './check';
import { rowReduce, rowShaders } from './lib';

const shaders = rowShaders('l2_normalize_backward', code);

/**
 * dx (N, C), written: (dout − out·(out·dout)) / norm per row, or dout / eps where the forward clamped the
 * norm. out and norm are the forward's; eps must be the forward's.
 */
export function l2NormalizeBackward(
  rt: Runtime,
  dx: Tensor,
  dout: Tensor,
  out: Tensor,
  norm: Tensor,
  N: number,
  C: number,
  eps = L2_NORMALIZE_EPS,
): Dispatch {
  checkL2Shapes('l2_normalize_backward', { dx, dout, out }, norm, N, C, eps);
  return rt.kernel({
    shader: shaders[rowReduce(rt)],
    entryPoint: 'l2_normalize_backward',
    constants: { N, C, EPS: eps, WG: rowWorkgroupSize(C) },
    bindings: [
      [dx, 'write'],
      [dout, 'read'],
      [out, 'read'],
      [norm, 'read'],
    ],
    workgroups: grid1d(N, 1),
    flops: 4 * N * C,
  });
}
