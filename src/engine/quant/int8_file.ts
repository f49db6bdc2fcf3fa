/**
 * The int8 model file (`model.int8.safetensors`, docs/COMPRESSION.md): quantize_dynamic's weights in a format any
 * safetensors reader opens. Every nn.Linear weight of the encoder (LINEAR_WEIGHT) is an I8 tensor shaped as the
 * weight (out × in) with its float32 scales beside it as `<name>.scale` — shape [1] per tensor, [out] per output
 * channel; zero points are 0 (symmetric), so the weight is int8 · scale. Every other parameter stays F32 under
 * its RobertaModel name. Metadata names the format and the granularity.
 */
import { writeSafeTensors, type TensorToWrite } from '../io/safetensors';
import { quantizeInt8, type Int8Granularity } from './int8';
import { LINEAR_WEIGHT } from './precision';

export const INT8_FILE = 'model.int8.safetensors';
export const INT8_FORMAT = 'lab-int8-v1';

export function encodeInt8Model(values: ReadonlyMap<string, Float32Array>, shapes: ReadonlyMap<string, readonly number[]>, granularity: Int8Granularity): Uint8Array {
  const tensors: TensorToWrite[] = [];
  for (const [name, v] of values) {
    const shape = shapes.get(name);
    if (!shape) throw new Error(`no shape for parameter "${name}"`);
    if (!LINEAR_WEIGHT.test(name)) {
      tensors.push({ name, shape, data: v });
      continue;
    }
    const [rows, cols] = shape;
    const w = quantizeInt8(v, rows!, cols!, granularity);
    tensors.push({ name, shape, data: w.q }, { name: `${name}.scale`, shape: [w.scales.length], data: w.scales });
  }
  return writeSafeTensors(tensors, { format: INT8_FORMAT, granularity, weight: 'int8 · scale (zero point 0); scale per tensor or per output row' });
}
