/** A tensor is a GPU buffer with a row-major shape; views and strides are expressed by the kernels. */

/**
 * 'f16' holds logical f32 values stored as packed IEEE halves, two per 32-bit word (element i in word i/2,
 * the even element in the low 16 bits, as WGSL's `unpack2x16float` reads them). Kernels widen to f32 on load,
 * so it needs no `shader-f16` feature; it halves the memory of weights that never change (frozen weights).
 */
export type DType = 'f32' | 'u32' | 'i32' | 'f16';

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

/** Bytes the elements occupy: 4 each, or 2 each rounded up to whole 32-bit words for packed halves. */
export function dataBytes(shape: readonly number[], dtype: DType = 'f32'): number {
  const n = numel(shape);
  return dtype === 'f16' ? Math.ceil(n / 2) * 4 : n * 4;
}

/** Bytes a kernel binds for this tensor (a view binds only its own range). */
export function boundBytes(tensor: Tensor): number {
  return Math.max(4, dataBytes(tensor.shape, tensor.dtype));
}

/** Bytes to allocate: WebGPU wants sizes that are multiples of 4 and non-zero. */
export function byteSize(shape: readonly number[], dtype: DType = 'f32'): number {
  return Math.max(4, dataBytes(shape, dtype));
}

export function shapeString(shape: readonly number[]): string {
  return `(${shape.join(', ')})`;
}
