import code from '../../../shaders/softmax.wgsl?raw';
import type { Dispatch, Runtime } from '../gpu/runtime';
import { grid1d } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { expectNumel, expectPositive } from './check';
import { rowWorkgroupSize } from './check';
import { rowReduce, rowShaders } from './lib';

const shaders = rowShaders('softmax', code);

/** Row-wise softmax over the last dim C of (rows, C). */
export function softmax(rt: Runtime, out: Tensor, inp: Tensor, rows: number, C: number): Dispatch {
  expectPositive('softmax', { rows, C });
  expectNumel('softmax', 'out', out, rows * C);
  expectNumel('softmax', 'inp', inp, rows * C);
  return rt.kernel({
    shader: shaders[rowReduce(rt)],
    entryPoint: 'softmax',
    constants: { ROWS: rows, C, WG: rowWorkgroupSize(C) },
    bindings: [
      [out, 'write'],
      [inp, 'read'],
    ],
    workgroups: grid1d(rows, 1),
    flops: 5 * rows * C,
  });
}
