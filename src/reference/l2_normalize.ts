/**
 * Row L2 normalization as torch.nn.functional.normalize(x, dim=-1): out = x / max(||x||, eps).
 * The scale UniXcoder applies to scores (×20) is left to the score matmul's alpha.
 */
import type { Vec } from './types';

export { L2_NORMALIZE_EPS } from '../ops/l2_normalize';

/** out (N, C) = x / max(||x||, eps) per row; saves the unclamped norms (N) for the backward. */
export function l2Normalize(out: Vec, norm: Vec, x: Vec, N: number, C: number, eps: number): void {
  for (let r = 0; r < N; r++) {
    let sq = 0;
    for (let c = 0; c < C; c++) sq += x[r * C + c]! * x[r * C + c]!;
    const n = Math.sqrt(sq);
    const denom = Math.max(n, eps);
    for (let c = 0; c < C; c++) out[r * C + c] = x[r * C + c]! / denom;
    norm[r] = n;
  }
}

/**
 * dx (N, C), written. Where norm >= eps: dx = (dout − out·(out·dout)) / norm. Where the norm was clamped
 * (norm < eps) out = x / eps is linear in x: dx = dout / eps. At norm == eps the first branch is taken, as
 * PyTorch's clamp_min passes the gradient through when norm >= eps.
 */
export function l2NormalizeBackward(dx: Vec, dout: Vec, out: Vec, norm: Vec, N: number, C: number, eps: number): void {
  for (let r = 0; r < N; r++) {
    const n = norm[r]!;
    let dot = 0;
    for (let c = 0; c < C; c++) dot += out[r * C + c]! * dout[r * C + c]!;
    for (let c = 0; c < C; c++) {
      const i = r * C + c;
      dx[i] = n >= eps ? (dout[i]! - out[i]! * dot) / n : dout[i]! / eps;
    }
  }
}
