import code from '../../../shaders/bias_backward.wgsl?raw';
import type { Dispatch, Runtime } from '../gpu/runtime';
import { ceilDiv, MAX_GROUPS } from '../gpu/runtime';
import { shapeError } from '../gpu/errors';
import type { Tensor } from '../gpu/tensor';
import { expectNumel, expectPositive } from './check';

const shader = { name: 'bias_backward', code };
const COLS = 32; // columns per workgroup, as in bias_backward.wgsl

/** dbias (n) (+)= Σ_rows dout (rows, n): the bias gradient of a linear layer. */
export function biasBackward(rt: Runtime, dbias: Tensor, dout: Tensor, rows: number, n: number, accumulate = true): Dispatch {
  expectPositive('biasBackward', { rows, n });
  expectNumel('biasBackward', 'dbias', dbias, n);
  expectNumel('biasBackward', 'dout', dout, rows * n);
  // A 1-D grid covers 2M columns; no bias comes close, so a 2-D grid would be untestable weight.
  if (ceilDiv(n, COLS) > MAX_GROUPS) throw shapeError('biasBackward', `n ${n} exceeds ${MAX_GROUPS * COLS} columns`);
  return rt.kernel({
    shader,
    constants: { ROWS: rows, N: n, ACCUMULATE: accumulate },
    bindings: [
      [dbias, 'write'],
      [dout, 'read'],
    ],
    workgroups: [ceilDiv(n, COLS), 1, 1],
    flops: rows * n,
  });
}
