import { describe, expect, it } from 'vitest';
import { rngUniform } from '../../src/reference/rng';

describe('rng (reference)', () => {
  it('is a pure function of (seed, index) in [0, 1)', () => {
    for (let i = 0; i < 1000; i++) {
      const u = rngUniform(42, i);
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      expect(rngUniform(42, i)).toBe(u);
    }
    expect(rngUniform(1, 5)).not.toBe(rngUniform(2, 5));
  });

  it('looks uniform: mean and variance of 100k draws', () => {
    let s = 0;
    let s2 = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const u = rngUniform(7, i);
      s += u;
      s2 += u * u;
    }
    const mean = s / n;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(s2 / n - mean * mean - 1 / 12)).toBeLessThan(0.002);
  });
});
