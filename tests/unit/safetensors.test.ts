import { describe, expect, it } from 'vitest';
import { bf16ToFloat, halfToFloat, readSafeTensors, writeSafeTensors } from '../../src/engine/io/safetensors';
import { withHeader } from '../helpers/safetensors_bytes';


describe('safetensors', () => {
  it('round-trips F32 and I32 tensors with metadata', () => {
    const a = Float32Array.from([1.5, -2, 3.25, 0]);
    const b = Int32Array.from([7, -1, 2147483647]);
    const bytes = writeSafeTensors(
      [
        { name: 'a', shape: [2, 2], data: a },
        { name: 'b', shape: [3], data: b },
      ],
      { format: 'pt' },
    );
    const file = readSafeTensors(bytes);
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(file.tensors.get('a')).toMatchObject({ dtype: 'F32', shape: [2, 2] });
    expect([...file.tensors.get('a')!.data]).toEqual([...a]);
    expect([...file.tensors.get('b')!.data]).toEqual([...b]);
  });

  it('round-trips BOOL (pruning masks) and refuses bytes other than 0 and 1', () => {
    const bytes = writeSafeTensors([{ name: 'm', shape: [2, 3], data: Uint8Array.from([1, 0, 1, 1, 0, 0]) }]);
    const m = readSafeTensors(bytes).tensors.get('m')!;
    expect(m).toMatchObject({ dtype: 'BOOL', shape: [2, 3] });
    expect([...m.data]).toEqual([1, 0, 1, 1, 0, 0]);
    expect(() => readSafeTensors(withHeader({ m: { dtype: 'BOOL', shape: [2], data_offsets: [0, 2] } }, Uint8Array.from([1, 7])))).toThrow(/BOOL but holds the byte 7/);
    expect(() => writeSafeTensors([{ name: 'm', shape: [1], data: Uint8Array.of(2) }])).toThrow(/only 0 and 1/);
  });

  it('round-trips I8 (int8 weights) over the whole signed range', () => {
    const q = Int8Array.from([-128, -1, 0, 1, 127, 5]);
    const t = readSafeTensors(writeSafeTensors([{ name: 'q', shape: [2, 3], data: q }])).tensors.get('q')!;
    expect(t).toMatchObject({ dtype: 'I8', shape: [2, 3] });
    expect([...t.data]).toEqual([...q]);
  });

  it('decodes F16 and BF16', () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0x7c00)).toBe(Infinity);
    expect(bf16ToFloat(0x3f80)).toBe(1);
    expect(bf16ToFloat(0xc040)).toBe(-3);
    const data = new Uint8Array(4);
    new DataView(data.buffer).setUint16(0, 0x3555, true); // ≈ 0.33325 in f16
    new DataView(data.buffer).setUint16(2, 0xbc00, true); // -1
    const file = readSafeTensors(withHeader({ h: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, data));
    expect(file.tensors.get('h')!.data[0]).toBeCloseTo(0.33325, 5);
    expect(file.tensors.get('h')!.data[1]).toBe(-1);
  });

  it('refuses a truncated file, overrunning offsets, a shape/size mismatch and garbage', () => {
    const good = writeSafeTensors([{ name: 'w', shape: [4], data: new Float32Array(4) }]);
    expect(() => readSafeTensors(good.subarray(0, good.length - 3), 'w.safetensors')).toThrow(/w\.safetensors: tensor "w" ends at byte 16 .* truncated/);
    expect(() => readSafeTensors(good.subarray(0, 5))).toThrow(/too short/);
    const overrun = withHeader({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, new Uint8Array(8));
    expect(() => readSafeTensors(overrun)).toThrow(/truncated/);
    const mismatch = withHeader({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 16] } }, new Uint8Array(16));
    expect(() => readSafeTensors(mismatch)).toThrow(/spans 16 bytes but its shape needs 12/);
    const garbage = new TextEncoder().encode('this is definitely not a safetensors file');
    expect(() => readSafeTensors(garbage)).toThrow(/header claims/);
    const badDtype = withHeader({ w: { dtype: 'F64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8));
    expect(() => readSafeTensors(badDtype)).toThrow(/dtype "F64"/);
  });
});
