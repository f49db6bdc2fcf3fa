/**
 * Evaluating with lower-precision linear weights, weight-only: every nn.Linear weight of the encoder (attention
 * query/key/value/output, both FFN dense layers, the pooler) is stored as fp16 or int8 and computed with as its
 * dequantized float32 value; activations and the other parameters stay float32. fp16 rounds to nearest even
 * (as torch's `.half()`); int8 is quantize_dynamic's weight format (int8.ts), per tensor or per output channel.
 * The byte counts are what the stored model takes: 4 per f32 value, 2 per half, 1 per int8 value plus its scales.
 */
import { halfBits, halfValue } from '../kernels/halves';
import { dequantizeInt8, quantizeInt8 } from './int8';

export const WEIGHT_PRECISIONS = ['f32', 'fp16', 'int8', 'int8-channel'] as const;
export type WeightPrecision = (typeof WEIGHT_PRECISIONS)[number];

/** The linear weights quantize_dynamic converts in a RobertaModel (biases, embeddings, LayerNorm stay float). */
export const LINEAR_WEIGHT = /^(encoder\.layer\.\d+\.(attention\.self\.(query|key|value)|attention\.output\.dense|intermediate\.dense|output\.dense)|pooler\.dense)\.weight$/;

export interface QuantizedModel {
  /** Every parameter, the linear weights replaced by their dequantized values. */
  readonly values: Map<string, Float32Array>;
  /** Bytes of the linear weights at this precision (scales included), and of the whole model stored so. */
  readonly linearBytes: number;
  readonly modelBytes: number;
}

function toHalf(values: Float32Array): Float32Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  return Float32Array.from(bits, (b) => halfValue(halfBits(b)));
}

/** `shapes`: each parameter's shape (a linear weight is out × in), from the model's plan. */
export function atPrecision(values: ReadonlyMap<string, Float32Array>, shapes: ReadonlyMap<string, readonly number[]>, precision: WeightPrecision): QuantizedModel {
  const out = new Map(values);
  let linearBytes = 0;
  let otherBytes = 0;
  for (const [name, v] of values) {
    if (!LINEAR_WEIGHT.test(name)) {
      otherBytes += 4 * v.length;
      continue;
    }
    const [rows, cols] = shapes.get(name) ?? [];
    if (!rows || !cols || rows * cols !== v.length) throw new Error(`linear weight "${name}" has no out × in shape matching its ${v.length} values`);
    if (precision === 'fp16') out.set(name, toHalf(v));
    if (precision === 'int8' || precision === 'int8-channel') out.set(name, dequantizeInt8(quantizeInt8(v, rows, cols, precision === 'int8' ? 'per-tensor' : 'per-channel')));
    linearBytes += precision === 'f32' ? 4 * v.length : precision === 'fp16' ? 2 * v.length : v.length + 4 * (precision === 'int8' ? 1 : rows);
  }
  return { values: out, linearBytes, modelBytes: linearBytes + otherBytes };
}
