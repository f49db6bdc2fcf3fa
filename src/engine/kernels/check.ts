/** Shape checks shared by the kernel launchers: a wrong shape is a bug, reported before anything is encoded. */
import { shapeError } from '../gpu/errors';
import { numel, shapeString, type Tensor } from '../gpu/tensor';

export function expectNumel(op: string, name: string, tensor: Tensor, n: number): void {
  const actual = numel(tensor.shape);
  if (actual !== n) throw shapeError(op, `${name} ${shapeString(tensor.shape)} has ${actual} elements, expected ${n}`);
}

export function expectAtLeast(op: string, name: string, tensor: Tensor, n: number): void {
  const actual = numel(tensor.shape);
  if (actual < n) throw shapeError(op, `${name} ${shapeString(tensor.shape)} has ${actual} elements, needs at least ${n}`);
}

export function expectPositive(op: string, dims: Record<string, number>): void {
  for (const [name, value] of Object.entries(dims)) {
    if (!Number.isInteger(value) || value < 1) throw shapeError(op, `${name} must be a positive integer, got ${value}`);
  }
}

/**
 * Workgroup size of the one-workgroup-per-row kernels: the next power of two covering the row (tree
 * reductions need a power of two), capped at `max`.
 */
export function rowWorkgroupSize(C: number, max = 256): number {
  let wg = 1;
  while (wg < C && wg < max) wg *= 2;
  return wg;
}
