/** CPU twin of bias_backward.wgsl: the bias gradient of a linear layer. */
import type { Vec } from './types';

/** dbias[n] (+)= Σ_rows dout[row, n] for dout (rows, n). */
export function biasBackward(dbias: Vec, dout: Vec, rows: number, n: number, accumulate = true): void {
  for (let col = 0; col < n; col++) {
    let sum = 0;
    for (let row = 0; row < rows; row++) sum += dout[row * n + col]!;
    dbias[col] = accumulate ? dbias[col]! + sum : sum;
  }
}
