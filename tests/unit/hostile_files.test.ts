/**
 * Files that made the lab decode far more than they hold, or read Object.prototype (issue 12, problems 1, 13
 * and 14): safetensors headers whose tensors share bytes, zip directories whose entries share data, storage
 * element counts that are not whole numbers, and names such as "constructor" where a lookup table is keyed.
 */
import { readFileSync } from 'node:fs';
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/engine/io/checkpoint';
import { readSafeTensors } from '../../src/engine/io/safetensors';
import { readZipDirectory } from '../../src/engine/io/zip';
import { parseMatmulTuning } from '../../src/engine/kernels/matmul_tiles';
import { readModelConfig } from '../../src/cli/model_dir';
import { withHeader } from '../helpers/safetensors_bytes';

const safetensors = withHeader;

describe('decoded bytes stay bounded by the file', () => {
  it('a safetensors header aliasing one range many times is refused before anything is decoded', () => {
    const mib = 1 << 18; // F32 elements in 1 MiB
    const header: Record<string, unknown> = {};
    for (let i = 0; i < 3000; i++) header[`t${i}`] = { dtype: 'F32', shape: [mib], data_offsets: [0, mib * 4] };
    const file = safetensors(header, new Uint8Array(mib * 4));
    const before = process.memoryUsage().arrayBuffers;
    expect(() => readSafeTensors(file, 'alias.safetensors')).toThrow(/tensors "t\d+" and "t\d+" share bytes 0–1048576 of the data/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024); // nothing near 3 GB
  });

  it('partly overlapping tensors are refused; adjacent and empty ones are fine', () => {
    const data = new Uint8Array(16);
    expect(() => readSafeTensors(safetensors({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 12] }, b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] } }, data), 'x')).toThrow(/share bytes 8–12/);
    const ok = readSafeTensors(safetensors({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] }, e: { dtype: 'F32', shape: [0], data_offsets: [8, 8] } }, data), 'x');
    expect([...ok.tensors.keys()]).toEqual(['a', 'b', 'e']);
  });

  it('a zip directory pointing two names at one entry is refused', () => {
    const zip = zipSync({ 'archive/data/0': new Uint8Array(64).fill(1), 'archive/data/1': new Uint8Array(64).fill(2) }, { level: 0 });
    const dv = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    expect(readZipDirectory(zip, 'ok.bin')?.size).toBe(2);
    // Point the second central directory entry at the first entry's local header.
    const central: number[] = [];
    for (let p = 0; p + 4 <= zip.length; p++) if (dv.getUint32(p, true) === 0x02014b50) central.push(p);
    dv.setUint32(central[1]! + 42, dv.getUint32(central[0]! + 42, true), true);
    expect(() => readZipDirectory(zip, 'alias.bin')).toThrow(/alias\.bin: zip entries "archive\/data\/\d" and "archive\/data\/\d" share their data/);
  });

  it('a torch zip storage whose element count is NaN or fractional is refused (it yielded zero-filled tensors)', () => {
    const files = unzipSync(new Uint8Array(readFileSync('tests/fixtures/torch/tiny_zip.bin')));
    const pkl = files['tiny_zip/data.pkl']!;
    // The first storage reference: ('storage', FloatStorage, '0', 'cpu', 1600) — 1600 is BININT2 "M" 0x0640.
    const at = Buffer.from(pkl).indexOf(Buffer.from([0x58, 3, 0, 0, 0, 0x63, 0x70, 0x75, 0x71, 0x07, 0x4d, 0x40, 0x06])) + 10;
    expect(at).toBeGreaterThan(10);
    const withCount = (value: number): Uint8Array => {
      const float = new Uint8Array(9);
      float[0] = 0x47; // BINFLOAT: a big-endian double
      new DataView(float.buffer).setFloat64(1, value, false);
      const edited = Uint8Array.from([...pkl.subarray(0, at), ...float, ...pkl.subarray(at + 3)]);
      return zipSync({ ...files, 'tiny_zip/data.pkl': edited }, { level: 0 });
    };
    expect(loadCheckpoint(zipSync(files, { level: 0 }), 'ok.bin').size).toBeGreaterThan(0); // re-zipped as is: still loads
    for (const value of [NaN, 1600.5, Infinity]) expect(() => loadCheckpoint(withCount(value), 'bad.bin'), String(value)).toThrow(/a storage reference in the pickle is malformed/);
  });
});

describe('names that are lookup keys stay data', () => {
  it('a safetensors dtype "constructor" is an unknown dtype, not a NaN size', () => {
    expect(() => readSafeTensors(safetensors({ a: { dtype: 'constructor', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)), 'p.safetensors')).toThrow(/has dtype "constructor"; the lab reads F32/);
  });

  it('a tuning table naming tile "constructor" (or keying "__proto__") is refused, and lookups see only own keys', () => {
    expect(() => parseMatmulTuning({ adapter: 'x', tiles: { 'NT:1x2x3': 'constructor' } }, 'tuning.json')).toThrow(/unknown tile "constructor"/);
    expect(() => parseMatmulTuning(JSON.parse('{"adapter":"x","tiles":{"__proto__":"t32"}}'), 'tuning.json')).toThrow(/"__proto__" is not a shape key/);
    const parsed = parseMatmulTuning({ adapter: 'x', tiles: { 'NT:1x2x3': 't32' } }, 'tuning.json');
    expect(Object.getPrototypeOf(parsed.tiles)).toBeNull();
  });

  it('`params --model __proto__` is not a preset', () => {
    expect(() => readModelConfig('__proto__')).toThrow(/__proto__ does not exist: give a model folder/);
  });
});
