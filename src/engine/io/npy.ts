/**
 * NumPy's .npy (format 1.0: magic, version, header dict padded to 64 bytes, little-endian f32 data) and .npz
 * (a zip of .npy files, stored uncompressed through fflate) for embeddings.
 */
import { zipSync } from 'fflate';

export function writeNpy(data: Float32Array, shape: readonly number[]): Uint8Array {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const unpadded = 10 + dict.length + 1; // magic(6) + version(2) + header length(2) + dict + '\n'
  const header = `${dict}${' '.repeat((64 - (unpadded % 64)) % 64)}\n`;
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0); // \x93NUMPY v1.0
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

export function writeNpz(arrays: Readonly<Record<string, { data: Float32Array; shape: readonly number[] }>>): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const [name, a] of Object.entries(arrays)) files[`${name}.npy`] = writeNpy(a.data, a.shape);
  return zipSync(files, { level: 0 });
}
