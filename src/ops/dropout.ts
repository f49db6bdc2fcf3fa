/** The f32 constants the shader uses: the threshold p and the scale 1 / (1 - p). */
export function dropoutConstants(p: number): { readonly P: number; readonly SCALE: number } {
  if (!(p >= 0 && p < 1)) throw new RangeError(`dropout: p must be in [0, 1), got ${p}`);
  return { P: Math.fround(p), SCALE: Math.fround(1 / (1 - p)) };
}
