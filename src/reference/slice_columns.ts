import type { Vec } from './types';

/** out (rows, w) = inp[:, off : off + w] of inp (rows, inW). */
export function sliceColumns(out: Vec, inp: Vec, rows: number, w: number, inW: number, off: number): void {
  for (let r = 0; r < rows; r++) for (let c = 0; c < w; c++) out[r * w + c] = inp[r * inW + off + c]!;
}

/** dinp[:, off : off + w] = dout; the other columns of dinp are left as they are. */
export function sliceColumnsBackward(dinp: Vec, dout: Vec, rows: number, w: number, inW: number, off: number): void {
  for (let r = 0; r < rows; r++) for (let c = 0; c < w; c++) dinp[r * inW + off + c] = dout[r * w + c]!;
}
