/**
 * Inverted dropout with a counter-based mask: keep element i when rngUniform(seed, i) >= p, and scale the
 * kept ones by 1 / (1 - p). The backward regenerates the same mask from (seed, i) instead of storing it.
 * Twins of shaders/dropout.wgsl and shaders/dropout_backward.wgsl, bit-exact in f32.
 */
import { dropoutConstants } from '../ops/dropout';
import { rngHash, rngUniform } from './rng';
import type { Vec } from './types';

/**
 * The seed one dropout site draws from: the step's seed mixed with the site's stream number, so every site
 * gets its own mask from one per-step seed. rngHash(0) = 0, so stream 0 uses the step's seed unchanged.
 */
export function dropoutSeed(seed: number, stream: number): number {
  return (seed ^ rngHash(stream)) >>> 0;
}

export { dropoutConstants } from '../ops/dropout';

/** out = x · keep / (1 − p). */
export function dropout(out: Vec, x: Vec, seed: number, p: number, n: number, stream = 0): void {
  masked(out, x, seed, p, n, stream);
}

/** dx = dout · keep / (1 − p), with the forward's mask. */
export function dropoutBackward(dx: Vec, dout: Vec, seed: number, p: number, n: number, stream = 0): void {
  masked(dx, dout, seed, p, n, stream);
}

function masked(out: Vec, x: Vec, seed: number, p: number, n: number, stream: number): void {
  const { P, SCALE } = dropoutConstants(p);
  const s = dropoutSeed(seed, stream);
  for (let i = 0; i < n; i++) out[i] = rngUniform(s, i) >= P ? x[i]! * SCALE : 0;
}
