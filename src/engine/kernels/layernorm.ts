import code from '../../../shaders/layernorm.wgsl?raw';
import type { Dispatch, Runtime } from '../gpu/runtime';
import { grid1d } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { expectNumel, expectPositive, rowWorkgroupSize } from './check';
import { rowReduce, rowShaders } from './lib';

const shaders = rowShaders('layernorm', code);

/** RoBERTa's layer_norm_eps. */
export const LAYERNORM_EPS = 1e-5;

/** out = (inp − mean)·rstd·weight + bias over the last dim C of (rows, C); caches mean and rstd for backward. */
export function layernorm(
  rt: Runtime,
  out: Tensor,
  mean: Tensor,
  rstd: Tensor,
  inp: Tensor,
  weight: Tensor,
  bias: Tensor,
  rows: number,
  C: number,
  eps = LAYERNORM_EPS,
): Dispatch {
  expectPositive('layernorm', { rows, C });
  for (const [name, t] of [['out', out], ['inp', inp]] as const) expectNumel('layernorm', name, t, rows * C);
  for (const [name, t] of [['mean', mean], ['rstd', rstd]] as const) expectNumel('layernorm', name, t, rows);
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const) expectNumel('layernorm', name, t, C);
  return rt.kernel({
    shader: shaders[rowReduce(rt)],
    entryPoint: 'layernorm',
    constants: { ROWS: rows, C, EPS: eps, WG: rowWorkgroupSize(C) },
    bindings: [
      [out, 'write'],
      [mean, 'write'],
      [rstd, 'write'],
      [inp, 'read'],
      [weight, 'read'],
      [bias, 'read'],
    ],
    workgroups: grid1d(rows, 1),
    flops: 8 * rows * C,
  });
}
