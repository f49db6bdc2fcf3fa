/** A tensor is a GPU buffer with a row-major shape; views and strides are expressed by the kernels. */

export type DType = 'f32' | 'u32' | 'i32';

export interface Tensor {
  readonly buffer: GPUBuffer;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly label: string;
  /** Start inside `buffer`, for views into a flat buffer (a multiple of the 256-byte binding alignment). */
  readonly byteOffset?: number;
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function sizeOf(tensor: Tensor): number {
  return numel(tensor.shape);
}

/** Bytes a kernel binds for this tensor (a view binds only its own range). */
export function boundBytes(tensor: Tensor): number {
  return Math.max(4, numel(tensor.shape) * 4);
}

/** Bytes to allocate: WebGPU wants sizes that are multiples of 4 and non-zero. */
export function byteSize(shape: readonly number[]): number {
  return Math.max(4, numel(shape) * 4);
}

export function shapeString(shape: readonly number[]): string {
  return `(${shape.join(', ')})`;
}
