import code from '../../../shaders/slice_columns.wgsl?raw';
import backwardCode from '../../../shaders/slice_columns_backward.wgsl?raw';
import { shapeError } from '../gpu/errors';
import type { ShaderSource } from '../gpu/pipelines';
import { type Dispatch, ELEMENTWISE_WG, grid1d, type Runtime } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { expectNumel, expectPositive } from './check';

const shader = { name: 'slice_columns', code };
const backwardShader = { name: 'slice_columns_backward', code: backwardCode };
const WG = ELEMENTWISE_WG;

export interface SliceDims {
  readonly rows: number;
  readonly w: number; // columns of the slice
  readonly inW: number; // columns of the full tensor
  readonly off: number; // first column of the slice
}

/** out (rows, w) = inp[:, off : off + w]. */
export function sliceColumns(rt: Runtime, out: Tensor, inp: Tensor, d: SliceDims): Dispatch {
  check(shader.name, inp, out, d);
  return launch(rt, shader, out, inp, d);
}

/** dinp[:, off : off + w] = dout (written; other columns untouched). */
export function sliceColumnsBackward(rt: Runtime, dinp: Tensor, dout: Tensor, d: SliceDims): Dispatch {
  check(backwardShader.name, dinp, dout, d);
  return launch(rt, backwardShader, dinp, dout, d);
}

function check(op: string, full: Tensor, slice: Tensor, d: SliceDims): void {
  expectPositive(op, { rows: d.rows, w: d.w, inW: d.inW });
  if (!Number.isInteger(d.off) || d.off < 0 || d.off + d.w > d.inW) throw shapeError(op, `columns [${d.off}, ${d.off + d.w}) are outside 0..${d.inW}`);
  expectNumel(op, 'full', full, d.rows * d.inW);
  expectNumel(op, 'slice', slice, d.rows * d.w);
}

function launch(rt: Runtime, s: ShaderSource, written: Tensor, read: Tensor, d: SliceDims): Dispatch {
  return rt.kernel({
    shader: s,
    constants: { ROWS: d.rows, W: d.w, IN_W: d.inW, OFF: d.off, WG },
    bindings: [
      [written, 'write'],
      [read, 'read'],
    ],
    workgroups: grid1d(d.rows * d.w, WG),
  });
}
