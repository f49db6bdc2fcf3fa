/**
 * CPU twin of the LoRA low-rank path (peft semantics) on a target linear with input x (rows, in) and
 * output y (rows, out): h = x·Aᵀ with A (r, in), y += scale · h·Bᵀ with B (out, r). scale is alpha / r
 * (alpha / √r for rsLoRA); lora_dropout is applied to x by the caller.
 */
import type { LoraDims } from '../ops/lora';
import { matmul } from './matmul';
import type { Vec } from './types';

export type { LoraDims } from '../ops/lora';

/** h (rows, r) = x·Aᵀ, saved for backward; out (rows, out) += scale · h·Bᵀ. */
export function loraForward(out: Vec, h: Vec, x: Vec, a: Vec, b: Vec, dims: LoraDims): void {
  const { rows, inDim, outDim, rank, scale } = dims;
  matmul(h, x, a, null, { M: rows, N: rank, K: inDim, transB: true });
  matmul(out, h, b, null, { M: rows, N: outDim, K: rank, transB: true, alpha: scale, accumulate: true });
}

/**
 * dB += scale · doutᵀ·h; dh = scale · dout·B (scratch, written); dA += dhᵀ·x; dx (+)= dh·A: accumulated into
 * the base linear's input gradient, written when `accumulateDx` is false, skipped when null.
 */
export function loraBackward(
  dx: Vec | null,
  da: Vec,
  db: Vec,
  dh: Vec,
  dout: Vec,
  x: Vec,
  h: Vec,
  a: Vec,
  b: Vec,
  dims: LoraDims,
  accumulateDx = true,
): void {
  const { rows, inDim, outDim, rank, scale } = dims;
  matmul(db, dout, h, null, { M: outDim, N: rank, K: rows, transA: true, alpha: scale, accumulate: true });
  matmul(dh, dout, b, null, { M: rows, N: rank, K: outDim, alpha: scale });
  matmul(da, dh, x, null, { M: rank, N: inDim, K: rows, transA: true, accumulate: true });
  if (dx) matmul(dx, dh, a, null, { M: rows, N: inDim, K: rank, accumulate: accumulateDx });
}
