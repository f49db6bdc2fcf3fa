import code from '../../../shaders/channel_scale_backward.wgsl?raw';
import type { Dispatch, Runtime } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { expectNumel, expectPositive } from './check';
import { COLUMN_SUM_CONSTANTS, columnGroups } from './column_sum';
import { shaderWith } from './lib';

const shader = shaderWith('channel_scale_backward', code, 'columnSum');

/** ds (C) += Σ_rows dy (rows, C) ⊙ x (rows, C): the gradient of a per-channel scale applied to x. */
export function channelScaleBackward(rt: Runtime, ds: Tensor, dy: Tensor, x: Tensor, rows: number, C: number): Dispatch {
  expectPositive('channelScaleBackward', { rows, C });
  expectNumel('channelScaleBackward', 'ds', ds, C);
  expectNumel('channelScaleBackward', 'dy', dy, rows * C);
  expectNumel('channelScaleBackward', 'x', x, rows * C);
  return rt.kernel({
    shader,
    constants: { ROWS: rows, N: C, ...COLUMN_SUM_CONSTANTS },
    bindings: [
      [ds, 'write'],
      [dy, 'read'],
      [x, 'read'],
    ],
    workgroups: columnGroups('channelScaleBackward', C),
    flops: 2 * rows * C,
  });
}
