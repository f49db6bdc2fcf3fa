import code from '../../../shaders/bias_backward.wgsl?raw';
import type { Dispatch, Runtime } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { expectNumel, expectPositive } from './check';
import { COLUMN_SUM_CONSTANTS, columnGroups } from './column_sum';
import { shaderWith } from './lib';

const shader = shaderWith('bias_backward', code, 'columnSum');

/** dbias (n) (+)= Σ_rows dout (rows, n): the bias gradient of a linear layer. */
export function biasBackward(rt: Runtime, dbias: Tensor, dout: Tensor, rows: number, n: number, accumulate = true): Dispatch {
  expectPositive('biasBackward', { rows, n });
  expectNumel('biasBackward', 'dbias', dbias, n);
  expectNumel('biasBackward', 'dout', dout, rows * n);
  return rt.kernel({
    shader,
    constants: { ROWS: rows, N: n, ACCUMULATE: accumulate, ...COLUMN_SUM_CONSTANTS },
    bindings: [
      [dbias, 'write'],
      [dout, 'read'],
    ],
    workgroups: columnGroups('biasBackward', n),
    flops: rows * n,
  });
}
