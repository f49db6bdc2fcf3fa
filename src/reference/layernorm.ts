import type { Vec } from './types';

/**
 * LayerNorm over the last dim C of (rows, C), biased variance as PyTorch:
 * out = (x − mean)·rstd·weight + bias, rstd = 1/sqrt(var + eps).
 * Caches mean and rstd (rows) for backward.
 */
export function layernorm(
  out: Vec,
  mean: Vec,
  rstd: Vec,
  inp: Vec,
  weight: Vec,
  bias: Vec,
  rows: number,
  C: number,
  eps: number,
): void {
  for (let r = 0; r < rows; r++) {
    const base = r * C;
    let sum = 0;
    for (let c = 0; c < C; c++) sum += inp[base + c]!;
    const m = sum / C;
    // Two passes (mean, then centered squares) as the GPU does: no cancellation in E[x²] − E[x]².
    let sq = 0;
    for (let c = 0; c < C; c++) {
      const d = inp[base + c]! - m;
      sq += d * d;
    }
    const s = 1 / Math.sqrt(sq / C + eps);
    for (let c = 0; c < C; c++) out[base + c] = (inp[base + c]! - m) * s * weight[c]! + bias[c]!;
    mean[r] = m;
    rstd[r] = s;
  }
}

/**
 * dinp = rstd·(g − mean(g) − n·mean(g·n)) with g = dout·weight and n the normalized input (written);
 * dweight += Σ_rows dout·n, dbias += Σ_rows dout (parameter gradients accumulate).
 */
export function layernormBackward(
  dinp: Vec,
  dweight: Vec,
  dbias: Vec,
  dout: Vec,
  inp: Vec,
  weight: Vec,
  mean: Vec,
  rstd: Vec,
  rows: number,
  C: number,
): void {
  for (let r = 0; r < rows; r++) {
    const base = r * C;
    const m = mean[r]!;
    const s = rstd[r]!;
    let gSum = 0;
    let gnSum = 0;
    for (let c = 0; c < C; c++) {
      const n = (inp[base + c]! - m) * s;
      const g = dout[base + c]! * weight[c]!;
      gSum += g;
      gnSum += g * n;
    }
    const gMean = gSum / C;
    const gnMean = gnSum / C;
    for (let c = 0; c < C; c++) {
      const n = (inp[base + c]! - m) * s;
      const g = dout[base + c]! * weight[c]!;
      dinp[base + c] = s * (g - gMean - n * gnMean);
    }
  }
  // Column sums in a float64 local and one += per parameter, so an f32 caller gets one rounding, not rows.
  for (let c = 0; c < C; c++) {
    let dw = 0;
    let db = 0;
    for (let r = 0; r < rows; r++) {
      const d = dout[r * C + c]!;
      dw += d * (inp[r * C + c]! - mean[r]!) * rstd[r]!;
      db += d;
    }
    dweight[c] = dweight[c]! + dw;
    dbias[c] = dbias[c]! + db;
  }
}
