/** CPU twins of channel_scale.wgsl and channel_scale_backward.wgsl: a learned per-channel scale ((IA)³). */
import type { Vec } from './types';

/** out[row, c] (+)= x[row, c] · s[c] for x (rows, C). */
export function channelScale(out: Vec, x: Vec, s: Vec, rows: number, C: number, accumulate = false): void {
  for (let row = 0; row < rows; row++) {
    for (let c = 0; c < C; c++) {
      const v = x[row * C + c]! * s[c]!;
      out[row * C + c] = accumulate ? out[row * C + c]! + v : v;
    }
  }
}

/** ds[c] += Σ_rows dy[row, c] · x[row, c]: the scale's gradient (the input's is channelScale(dx, dy, s)). */
export function channelScaleBackward(ds: Vec, dy: Vec, x: Vec, rows: number, C: number): void {
  for (let c = 0; c < C; c++) {
    let sum = 0;
    for (let row = 0; row < rows; row++) sum += dy[row * C + c]! * x[row * C + c]!;
    ds[c] = ds[c]! + sum;
  }
}
