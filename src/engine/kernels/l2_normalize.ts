import code from '../../../shaders/l2_normalize.wgsl?raw';
import { shapeError } from '../gpu/errors';
import type { Dispatch, Runtime } from '../gpu/runtime';
import { grid1d } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { L2_NORMALIZE_EPS } from '../../ops/l2_normalize';
import { expectNumel, expectPositive } from './check';
import { rowWorkgroupSize } from './check';
import { rowReduce, rowShaders } from './lib';

export { L2_NORMALIZE_EPS } from '../../ops/l2_normalize';

const shaders = rowShaders('l2_normalize', code);

/** Shape checks l2_normalize and its backward share. */
export function checkL2Shapes(op: string, rows: Record<string, Tensor>, norm: Tensor, N: number, C: number, eps: number): void {
  expectPositive(op, { N, C });
  if (!(eps > 0)) throw shapeError(op, `eps must be positive, got ${eps}`);
  for (const [name, t] of Object.entries(rows)) expectNumel(op, name, t, N * C);
  expectNumel(op, 'norm', norm, N);
}

/** out (N, C) = x / max(||x||, eps) per row, as F.normalize(x, dim=-1); saves the unclamped norms (N) for backward. */
export function l2Normalize(rt: Runtime, out: Tensor, norm: Tensor, x: Tensor, N: number, C: number, eps = L2_NORMALIZE_EPS): Dispatch {
  checkL2Shapes('l2_normalize', { out, x }, norm, N, C, eps);
  return rt.kernel({
    shader: shaders[rowReduce(rt)],
    entryPoint: 'l2_normalize',
    constants: { N, C, EPS: eps, WG: rowWorkgroupSize(C) },
    bindings: [
      [out, 'write'],
      [norm, 'write'],
      [x, 'read'],
    ],
    workgroups: grid1d(N, 1),
    flops: 3 * N * C,
  });
}
