/**
 * f32 → half packing for the 'f16' tensor dtype: known IEEE bit patterns, then the engine's bit-level
 * conversion against the reference twin (which rounds by searching the halves' values) on every half, every
 * rounding midpoint and its neighbours, and random f32 bit patterns.
 */
import { describe, expect, it } from 'vitest';
import * as engine from '../../src/engine/kernels/halves';
import * as ref from '../../src/reference/halves';
import { Rng } from '../helpers/random';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const bitsOf = (x: number): number => ((f32[0] = x), u32[0]!);
const valueOf = (bits: number): number => ((u32[0] = bits), f32[0]!);
const hex = (h: number): string => `0x${h.toString(16).padStart(4, '0')}`;

// [value, expected half bits]: exact values, ties (to even), subnormals, overflow, specials.
const KNOWN: readonly (readonly [number, number])[] = [
  [0, 0x0000],
  [-0, 0x8000],
  [1, 0x3c00],
  [-2, 0xc000],
  [0.5, 0x3800],
  [0.1, 0x2e66],
  [1 / 3, 0x3555],
  [65504, 0x7bff], // largest finite half
  [valueOf(bitsOf(65520) - 1), 0x7bff], // just below the overflow tie
  [65520, 0x7c00], // tie between 65504 and 2^16: the even neighbour is infinity
  [70000, 0x7c00],
  [-70000, 0xfc00],
  [3.4e38, 0x7c00],
  [Infinity, 0x7c00],
  [-Infinity, 0xfc00],
  [1 + 2 ** -11, 0x3c00], // tie between 0x3c00 and 0x3c01: even
  [1 + 3 * 2 ** -11, 0x3c02], // tie between 0x3c01 and 0x3c02: even
  [valueOf(bitsOf(1 + 2 ** -11) + 1), 0x3c01], // just past the tie
  [2 ** -14, 0x0400], // smallest normal
  [2 ** -14 - 2 ** -25, 0x0400], // tie between the largest subnormal 0x03ff and 0x0400: even
  [2 ** -24, 0x0001], // smallest subnormal
  [1e-5, 0x00a8], // 167.77 units of 2^-24
  [-1e-5, 0x80a8],
  [3e-8, 0x0001], // 0.503 units
  [1e-8, 0x0000], // 0.168 units: rounds to zero
  [-1e-8, 0x8000], // keeps its sign
  [2 ** -25, 0x0000], // tie between 0 and 2^-24: even
  [valueOf(bitsOf(2 ** -25) + 1), 0x0001],
  [1.5 * 2 ** -24, 0x0002], // tie between 1 and 2 units: even
  [2.5 * 2 ** -24, 0x0002],
  [1e-45, 0x0000], // an f32 subnormal
];

describe('half conversion: known bit patterns', () => {
  it.each(KNOWN)('%s → half %i', (value, want) => {
    const x = Math.fround(value);
    expect(hex(engine.halfBits(bitsOf(x))), `engine ${value}`).toBe(hex(want));
    expect(hex(ref.halfBits(x)), `reference ${value}`).toBe(hex(want));
  });

  it('any NaN becomes the quiet NaN 0x7e00 and unpacks to NaN', () => {
    expect(hex(engine.halfBits(0x7fc00000))).toBe('0x7e00');
    expect(hex(engine.halfBits(0xffc00001))).toBe('0x7e00');
    expect(hex(engine.halfBits(0x7f800001))).toBe('0x7e00'); // a signalling NaN whose payload would shift away
    expect(hex(ref.halfBits(NaN))).toBe('0x7e00');
    expect(engine.halfValue(0x7e00)).toBeNaN();
    expect(engine.halfValue(0x7c01)).toBeNaN();
  });

  it('unpacks known patterns', () => {
    expect(engine.halfValue(0x3c00)).toBe(1);
    expect(engine.halfValue(0x7bff)).toBe(65504);
    expect(engine.halfValue(0x0001)).toBe(2 ** -24);
    expect(engine.halfValue(0x03ff)).toBe(1023 * 2 ** -24);
    expect(engine.halfValue(0xfc00)).toBe(-Infinity);
    expect(Object.is(engine.halfValue(0x8000), -0)).toBe(true);
  });
});

describe('overflow check', () => {
  it('finds the first finite value that would become infinite; 65504 and values rounding to it are fine', () => {
    expect(engine.firstOverflow(new Float32Array([1, 65504, 65519, -65519, Infinity, NaN]))).toBe(-1);
    expect(engine.firstOverflow(new Float32Array([1, 65520, 70000]))).toBe(1);
    expect(engine.firstOverflow(new Float32Array([0, -1e6]))).toBe(1);
    expect(engine.halfBits(bitsOf(65519))).toBe(0x7bff); // why 65520 is the threshold
  });
});

describe('packing layout', () => {
  it('puts element 2i in the low half of word i; an odd tail leaves the high half zero', () => {
    const words = engine.packHalves(new Float32Array([1, -2, 0.5]));
    expect([...words].map((w) => w.toString(16))).toEqual(['c0003c00', '3800']);
    expect([...ref.packHalves([1, -2, 0.5])]).toEqual([...words]);
    expect([...engine.unpackHalves(words, 3)]).toEqual([1, -2, 0.5]);
    expect([...engine.unpackHalves(words)]).toEqual([1, -2, 0.5, 0]);
    expect(() => engine.unpackHalves(words, 5)).toThrow(/2 words hold 4 halves/);
  });

  it('packs a view at an offset into a larger buffer', () => {
    const big = new Float32Array([9, 9, 1, 2, 3]);
    expect([...engine.packHalves(big.subarray(2))]).toEqual([...ref.packHalves([1, 2, 3])]);
  });
});

describe('engine vs reference twin', () => {
  it('every half round-trips exactly, and both decode it alike', () => {
    for (let h = 0; h < 0x10000; h++) {
      const v = engine.halfValue(h);
      const r = ref.halfValue(h);
      if (Number.isNaN(r)) {
        expect(v, hex(h)).toBeNaN();
        continue;
      }
      if (!Object.is(v, r)) expect(v, `decode ${hex(h)}`).toBe(r);
      const back = engine.halfBits(bitsOf(v));
      if (back !== h) expect(hex(back), `round trip ${hex(h)}`).toBe(hex(h));
    }
  });

  it('agrees at every rounding midpoint between halves and one f32 ulp either side', () => {
    let checked = 0;
    for (let h = 0; h < 0x7c00; h++) {
      const next = h === 0x7bff ? 2 ** 16 : ref.halfValue(h + 1);
      const mid = bitsOf((ref.halfValue(h) + next) / 2); // exact in f32: 12 significant bits
      for (const bits of [mid - 1, mid, mid + 1]) {
        for (const sign of [0, 0x80000000]) {
          const x = (bits | sign) >>> 0;
          const got = engine.halfBits(x);
          const want = ref.halfBits(valueOf(x));
          if (got !== want) expect(hex(got), `f32 bits 0x${x.toString(16)}`).toBe(hex(want));
          checked++;
        }
      }
    }
    expect(checked).toBe(0x7c00 * 6);
  });

  it('agrees on random f32 bit patterns (seed 17), and packHalves matches word for word', () => {
    const rng = new Rng(17);
    const values = new Float32Array(40001);
    const bits = new Uint32Array(values.buffer);
    for (let i = 0; i < bits.length; i++) bits[i] = Math.floor(rng.next() * 2 ** 32);
    const got = engine.packHalves(values);
    const want = ref.packHalves(values);
    const bad = got.findIndex((w, i) => w !== want[i]);
    expect(bad, bad < 0 ? '' : `word ${bad}: 0x${got[bad]!.toString(16)} vs 0x${want[bad]!.toString(16)}`).toBe(-1);
    const back = engine.unpackHalves(got, values.length);
    const backRef = ref.unpackHalves(want, values.length);
    const badBack = back.findIndex((v, i) => !Object.is(v, backRef[i]) && !(Number.isNaN(v) && Number.isNaN(backRef[i]!)));
    expect(badBack).toBe(-1);
  });
});
