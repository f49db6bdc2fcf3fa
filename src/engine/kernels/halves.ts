/**
 * f32 ↔ IEEE half conversion for tensors of dtype 'f16' (packed halves, two per 32-bit word: element i in
 * word i/2, the even element in the low 16 bits, the order WGSL's `unpack2x16float` reads). Packing works on
 * the f32 bit patterns, so a whole model's frozen weights pack in a fraction of a second. The reference twin
 * (src/reference/halves.ts) rounds by searching the halves' values instead.
 */

const F32_INF = 0x7f800000;
const HALF_INF = 0x7c00;
const HALF_QNAN = 0x7e00;
/** 65520 = 65504 + half an ulp: from here on round-to-nearest-even gives infinity. */
const OVERFLOW = 0x477ff000;
/** 2^-14, the smallest normal half. */
const MIN_NORMAL = 0x38800000;
/** 2^-25 and below round to zero (2^-25 itself is a tie, and 0 is the even neighbour). */
const UNDERFLOW = 0x33000000;

/** The half nearest to the f32 with bits `x` (round to nearest, ties to even; any NaN becomes the quiet NaN 0x7e00). */
export function halfBits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const abs = x & 0x7fffffff;
  if (abs > F32_INF) return HALF_QNAN; // a NaN's sign and payload carry no meaning in a weight
  if (abs >= OVERFLOW) return sign | HALF_INF;
  if (abs >= MIN_NORMAL) {
    // Rebias the exponent (127 → 15) and drop 13 mantissa bits; a carry out of the mantissa correctly bumps
    // the exponent (and OVERFLOW keeps it below infinity).
    return sign | ((abs - 0x38000000 + 0xfff + ((abs >>> 13) & 1)) >>> 13);
  }
  if (abs <= UNDERFLOW) return sign;
  // Subnormal: the value in units of 2^-24 is the 24-bit significand shifted right by 126 - exponent (14..24).
  const shift = 126 - (abs >>> 23);
  const significand = (abs & 0x7fffff) | 0x800000;
  let q = significand >>> shift;
  const rest = significand - (q << shift);
  const halfway = 1 << (shift - 1);
  if (rest > halfway || (rest === halfway && (q & 1) === 1)) q++; // q = 0x400 is the smallest normal: still right
  return sign | q;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The f32 value of half bits `h` (every half is exactly representable in f32). */
export function halfValue(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exponent = (h >>> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) {
    const v = mantissa * 2 ** -24;
    return sign ? -v : v;
  }
  // Normals rebias the exponent (15 → 127); infinities and NaNs keep an all-ones exponent.
  u32[0] = sign | (exponent === 0x1f ? F32_INF | (mantissa << 13) : ((h & 0x7fff) << 13) + 0x38000000);
  return f32[0]!;
}

/**
 * Index of the first finite value too large for a half (it would round to ±infinity), or -1. Weights that
 * large are legal in f32, so loading them in 16 bits must be refused rather than silently become infinite.
 */
export function firstOverflow(values: Float32Array): number {
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]!);
    if (a >= 65520 && a !== Infinity) return i;
  }
  return -1;
}

/** Packs f32 values as halves, two per word; an odd count leaves the last word's high half 0. */
export function packHalves(values: Float32Array): Uint32Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const n = values.length;
  const words = new Uint32Array(Math.ceil(n / 2));
  for (let i = 0; i + 1 < n; i += 2) words[i >>> 1] = (halfBits(bits[i]!) | (halfBits(bits[i + 1]!) << 16)) >>> 0;
  if (n % 2 === 1) words[n >>> 1] = halfBits(bits[n - 1]!);
  return words;
}

/** The first `count` halves of packed words as f32 values (count defaults to every half the words hold). */
export function unpackHalves(words: Uint32Array, count: number = words.length * 2): Float32Array {
  if (count > words.length * 2) throw new RangeError(`unpackHalves: ${words.length} words hold ${words.length * 2} halves, not ${count}`);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = halfValue((words[i >>> 1]! >>> ((i & 1) * 16)) & 0xffff);
  return out;
}
