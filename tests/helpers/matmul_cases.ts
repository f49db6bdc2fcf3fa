/** Shared by the matmul tests (f32 and packed-f16 B): tolerances and operand sizes. */
import type { MatmulDims } from '../../src/reference/matmul';
import type { Tolerance } from './compare';

/**
 * f32 GPU vs the reference (float64 sums rounded once): the GPU's f32 running sum drifts by about
 * K·2⁻²⁴·|terms|; inputs are N(0, 1), so a K-long sum has terms of size ~1 and a total of ~√K.
 */
export function tolFor(K: number): Tolerance {
  return { atol: 2e-7 * K, rtol: 1e-5 };
}

/** Elements a batched operand spans (as the launcher requires). */
export function extent(stride: number, size: number, batch: number): number {
  return (batch - 1) * stride + size;
}

export interface MatmulCase {
  readonly name: string;
  readonly dims: MatmulDims;
  readonly bias?: boolean;
}
