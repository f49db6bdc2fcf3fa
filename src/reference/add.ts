import type { Vec } from './types';

/** out = a + b. */
export function add(out: Vec, a: Vec, b: Vec, n: number): void {
  for (let i = 0; i < n; i++) out[i] = a[i]! + b[i]!;
}

/** da += dout, db += dout: the residual passes the gradient through unchanged. */
export function addBackward(da: Vec, db: Vec, dout: Vec, n: number): void {
  for (let i = 0; i < n; i++) {
    da[i] = da[i]! + dout[i]!;
    db[i] = db[i]! + dout[i]!;
  }
}
