/**
 * Pooling of the encoder's last hidden states h (B*T, C) into one vector per sequence (B, C).
 * mask (B, T) is the attention mask (nonzero = token, 0 = padding), u32 on the GPU as in attention.
 */
import type { PoolingMode } from '../ops/pooling';
import type { Vec } from './types';

export type { PoolingMode } from '../ops/pooling';

/** Number of tokens (nonzero mask entries) in sequence b. */
function tokenCount(mask: ArrayLike<number>, b: number, T: number): number {
  let count = 0;
  for (let t = 0; t < T; t++) if (mask[b * T + t] !== 0) count++;
  return count;
}

/**
 * out (B, C) = h[b*T] (cls) or Σ_t mask·h / count (mean). A sequence with no tokens pools to 0 in mean mode
 * (PyTorch's sum / clamp(count, min=1e-9) gives 0 there too, without the division by ~0).
 */
export function pooling(out: Vec, h: Vec, mask: ArrayLike<number>, B: number, T: number, C: number, mode: PoolingMode): void {
  for (let b = 0; b < B; b++) {
    const count = mode === 'mean' ? tokenCount(mask, b, T) : 1;
    for (let c = 0; c < C; c++) {
      if (mode === 'cls') {
        out[b * C + c] = h[b * T * C + c]!;
        continue;
      }
      let sum = 0;
      for (let t = 0; t < T; t++) if (mask[b * T + t] !== 0) sum += h[(b * T + t) * C + c]!;
      out[b * C + c] = count > 0 ? sum / count : 0;
    }
  }
}

/** dh (B*T, C) is written for every row: dout (or dout / count) where pooling read, 0 everywhere else. */
export function poolingBackward(dh: Vec, dout: Vec, mask: ArrayLike<number>, B: number, T: number, C: number, mode: PoolingMode): void {
  for (let b = 0; b < B; b++) {
    const count = mode === 'mean' ? tokenCount(mask, b, T) : 1;
    for (let t = 0; t < T; t++) {
      const read = mode === 'cls' ? t === 0 : mask[b * T + t] !== 0;
      for (let c = 0; c < C; c++) dh[(b * T + t) * C + c] = read ? dout[b * C + c]! / count : 0;
    }
  }
}
