import code from '../../../shaders/softmax_backward.wgsl?raw';
import type { Dispatch, Runtime } from '../gpu/runtime';
import { grid1d } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { expectNumel, expectPositive } from './check';
import { rowWorkgroupSize } from './check';
import { rowReduce, rowShaders } from './lib';

const shaders = rowShaders('softmax_backward', code);

/** dinp = out ⊙ (dout − Σ dout⊙out) per row of (rows, C), from the forward's output (written). */
export function softmaxBackward(rt: Runtime, dinp: Tensor, dout: Tensor, out: Tensor, rows: number, C: number): Dispatch {
  const op = 'softmaxBackward';
  expectPositive(op, { rows, C });
  for (const [name, t] of [['dinp', dinp], ['dout', dout], ['out', out]] as const) expectNumel(op, name, t, rows * C);
  return rt.kernel({
    shader: shaders[rowReduce(rt)],
    entryPoint: 'softmax_backward',
    constants: { ROWS: rows, C, WG: rowWorkgroupSize(C) },
    bindings: [
      [dinp, 'write'],
      [dout, 'read'],
      [out, 'read'],
    ],
    workgroups: grid1d(rows, 1),
    flops: 4 * rows * C,
  });
}
