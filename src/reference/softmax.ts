import type { Vec } from './types';

/** Row-wise softmax over the last dim C of (rows, C); subtracts the row max so exp never overflows. */
export function softmax(out: Vec, inp: Vec, rows: number, C: number): void {
  for (let r = 0; r < rows; r++) {
    const base = r * C;
    let max = -Infinity;
    for (let c = 0; c < C; c++) max = Math.max(max, inp[base + c]!);
    let sum = 0;
    for (let c = 0; c < C; c++) sum += Math.exp(inp[base + c]! - max);
    for (let c = 0; c < C; c++) out[base + c] = Math.exp(inp[base + c]! - max) / sum;
  }
}

/** dinp = y ⊙ (dy − Σ dy⊙y) per row, from the saved output y (written). */
export function softmaxBackward(dinp: Vec, dout: Vec, out: Vec, rows: number, C: number): void {
  for (let r = 0; r < rows; r++) {
    const base = r * C;
    let dot = 0;
    for (let c = 0; c < C; c++) dot += dout[base + c]! * out[base + c]!;
    for (let c = 0; c < C; c++) dinp[base + c] = out[base + c]! * (dout[base + c]! - dot);
  }
}
