/**
 * CPU twin of src/engine/kernels/halves.ts, written from the definitions rather than from bit tricks: a half's
 * value comes from its fields, and a value rounds to the nearest half found by searching the halves in order
 * of magnitude (ties to the even bit pattern, IEEE's round-to-nearest-even). Slow; for tests.
 */

const HALF_INF = 0x7c00;

/** The value of half bits `h` from its sign, exponent and mantissa fields. */
export function halfValue(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  return sign * (1024 + mantissa) * 2 ** (exponent - 25);
}

/**
 * Magnitude of non-negative bit patterns 0..0x7c00, which increase with the pattern. Infinity stands for 2^16
 * here: IEEE rounds to infinity exactly where 2^16 (the next power, one ulp past 65504) would be nearer.
 */
function magnitude(h: number): number {
  return h === HALF_INF ? 2 ** 16 : halfValue(h);
}

/** The half nearest to x (x is an f32 value; NaN becomes the quiet NaN 0x7e00). */
export function halfBits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 2 ** 16) return sign | HALF_INF;
  // Largest pattern `lo` with magnitude(lo) <= a; then a lies in [magnitude(lo), magnitude(lo + 1)).
  let lo = 0;
  let hi = HALF_INF;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (magnitude(mid) <= a) lo = mid;
    else hi = mid;
  }
  // Both distances are exact in float64 (two values of at most 24 significant bits, close together).
  const below = a - magnitude(lo);
  const above = magnitude(hi) - a;
  const nearest = below < above ? lo : above < below ? hi : lo % 2 === 0 ? lo : hi;
  return sign | nearest;
}

/** Two halves per word, element i in word i/2, the even element in the low 16 bits. */
export function packHalves(values: ArrayLike<number>): Uint32Array {
  const words = new Uint32Array(Math.ceil(values.length / 2));
  for (let i = 0; i < values.length; i++) words[Math.floor(i / 2)]! += halfBits(values[i]!) * (i % 2 === 0 ? 1 : 0x10000);
  return words;
}

export function unpackHalves(words: Uint32Array, count: number = words.length * 2): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = halfValue(i % 2 === 0 ? words[i / 2]! % 0x10000 : Math.floor(words[(i - 1) / 2]! / 0x10000));
  return out;
}
