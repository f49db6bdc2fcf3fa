/**
 * int8 weights as torch.ao.quantization makes them for `quantize_dynamic(model, {nn.Linear}, dtype=torch.qint8)`:
 * symmetric scales (zero point 0) from the weights' absolute maximum, per tensor (MinMaxObserver,
 * per_tensor_symmetric — quantize_dynamic's default) or per output channel (PerChannelMinMaxObserver,
 * per_channel_symmetric, axis 0), and q = clamp(nearbyint(w · (1/scale)), −128, 127) in float32 arithmetic as
 * ATen's quantize_val computes it. The dequantized weight is q · scale.
 */

export const INT8_MIN = -128;
export const INT8_MAX = 127;
/** torch.finfo(torch.float32).eps: the observers' smallest scale (an all-zero row still gets one). */
const F32_EPS = 1.1920928955078125e-7;

export type Int8Granularity = 'per-tensor' | 'per-channel';

export interface Int8Weight {
  /** out × in, row-major, as the float weight was. */
  readonly q: Int8Array;
  /** One scale per tensor, or one per output row (per-channel); float32 values. */
  readonly scales: Float32Array;
  readonly rows: number;
  readonly cols: number;
  readonly granularity: Int8Granularity;
}

/** nearbyint in the default rounding mode: halves to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The symmetric observers' scale: max(|min|, |max|) / ((qmax − qmin) / 2), at least eps, in float32. */
export function symmetricScale(values: Float32Array, start = 0, end = values.length): number {
  let lo = 0;
  let hi = 0;
  for (let i = start; i < end; i++) {
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const amax = Math.max(-lo, hi);
  return Math.max(Math.fround(amax / ((INT8_MAX - INT8_MIN) / 2)), F32_EPS);
}

/** One value quantized with `scale` (ATen's quantize_val: multiply by the float32 inverse, round to even, clamp). */
export function quantizeValue(v: number, scale: number): number {
  const inv = Math.fround(1 / scale);
  return Math.min(INT8_MAX, Math.max(INT8_MIN, roundHalfEven(Math.fround(v * inv))));
}

export function quantizeInt8(weight: Float32Array, rows: number, cols: number, granularity: Int8Granularity): Int8Weight {
  if (weight.length !== rows * cols) throw new RangeError(`a ${rows}×${cols} weight needs ${rows * cols} values, got ${weight.length}`);
  const perRow = granularity === 'per-channel';
  const scales = perRow ? Float32Array.from({ length: rows }, (_, r) => symmetricScale(weight, r * cols, (r + 1) * cols)) : Float32Array.of(symmetricScale(weight));
  const q = new Int8Array(weight.length);
  for (let r = 0; r < rows; r++) {
    const scale = scales[perRow ? r : 0]!;
    for (let c = 0; c < cols; c++) q[r * cols + c] = quantizeValue(weight[r * cols + c]!, scale);
  }
  return { q, scales, rows, cols, granularity };
}

/** q · scale back in float32: the weights int8 evaluation computes with. */
export function dequantizeInt8(w: Int8Weight): Float32Array {
  const out = new Float32Array(w.q.length);
  for (let r = 0; r < w.rows; r++) {
    const scale = w.scales[w.granularity === 'per-channel' ? r : 0]!;
    for (let c = 0; c < w.cols; c++) out[r * w.cols + c] = Math.fround(w.q[r * w.cols + c]! * scale);
  }
  return out;
}
