/** Bit-exact twin of shaders/lib/rng.wgsl (counter-based RNG for dropout). */

export function rngHash(x: number): number {
  let v = x >>> 0;
  v ^= v >>> 16;
  v = Math.imul(v, 0x7feb352d) >>> 0;
  v ^= v >>> 15;
  v = Math.imul(v, 0x846ca68b) >>> 0;
  v ^= v >>> 16;
  return v >>> 0;
}

/** Uniform in [0, 1) with 24 random bits, as the shader computes it. */
export function rngUniform(seed: number, index: number): number {
  const mixed = (Math.imul(index >>> 0, 0x9e3779b9) + 0x632be5ab) >>> 0;
  const h = rngHash((rngHash(seed) ^ mixed) >>> 0);
  return (h >>> 8) / 16777216;
}
