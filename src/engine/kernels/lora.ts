/**
 * The LoRA low-rank path (peft semantics), composed from matmul dispatches: h = x·Aᵀ, y += scale · h·Bᵀ.
 * The order of the dispatches is the order of the CPU twin in src/reference/lora.ts.
 */
import type { LoraDims } from '../../ops/lora';
import type { Dispatch, Runtime } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { expectPositive } from './check';
import { matmul } from './matmul';

export type { LoraDims };

/** h (rows, r) = x (rows, in) · Aᵀ, saved for backward; out (rows, out) += scale · h·Bᵀ with B (out, r). */
export function loraForward(rt: Runtime, out: Tensor, h: Tensor, x: Tensor, a: Tensor, b: Tensor, dims: LoraDims): Dispatch[] {
  const { rows, inDim, outDim, rank, scale } = dims;
  expectPositive('loraForward', { rows, inDim, outDim, rank });
  return [
    matmul(rt, h, x, a, null, { M: rows, N: rank, K: inDim, transB: true }),
    matmul(rt, out, h, b, null, { M: rows, N: outDim, K: rank, transB: true, alpha: scale, accumulate: true }),
  ];
}

/**
 * dB += scale · doutᵀ·h; dh (rows, r) = scale · dout·B, a scratch; dA += dhᵀ·x; dx (+)= dh·A. x is the input
 * the forward saw (after lora_dropout). dx accumulates into the base linear's input gradient; it is written
 * instead when `accumulateDx` is false (a scratch that goes back through the dropout mask), and skipped
 * when null (no input gradient needed).
 */
export function loraBackward(
  rt: Runtime,
  dx: Tensor | null,
  da: Tensor,
  db: Tensor,
  dh: Tensor,
  dout: Tensor,
  x: Tensor,
  h: Tensor,
  a: Tensor,
  b: Tensor,
  dims: LoraDims,
  accumulateDx = true,
): Dispatch[] {
  const { rows, inDim, outDim, rank, scale } = dims;
  expectPositive('loraBackward', { rows, inDim, outDim, rank });
  const list = [
    matmul(rt, db, dout, h, null, { M: outDim, N: rank, K: rows, transA: true, alpha: scale, accumulate: true }),
    matmul(rt, dh, dout, b, null, { M: rows, N: rank, K: outDim, alpha: scale }),
    matmul(rt, da, dh, x, null, { M: rank, N: inDim, K: rows, transA: true, accumulate: true }),
  ];
  if (dx) list.push(matmul(rt, dx, dh, a, null, { M: rows, N: inDim, K: rank, accumulate: accumulateDx }));
  return list;
}
