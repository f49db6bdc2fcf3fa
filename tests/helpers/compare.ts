/** Tolerance comparison that reports the worst element and the first failing index, llm.c style. */
import { expect } from 'vitest';

export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
}

export interface Mismatch {
  readonly maxAbsDiff: number;
  readonly firstBad: number;
  readonly badCount: number;
}

export function mismatch(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance): Mismatch {
  let maxAbsDiff = 0;
  let firstBad = -1;
  let badCount = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const diff = Math.abs(a - e);
    if (!(diff <= tol.atol + tol.rtol * Math.abs(e))) {
      badCount++;
      if (firstBad < 0) firstBad = i;
    }
    if (!(diff <= maxAbsDiff)) maxAbsDiff = diff; // NaN propagates as a failure
  }
  return { maxAbsDiff, firstBad, badCount };
}

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  const m = mismatch(actual, expected, tol);
  const where =
    m.firstBad >= 0 ? `first bad [${m.firstBad}] got ${actual[m.firstBad]} want ${expected[m.firstBad]}, ${m.badCount} bad` : 'ok';
  expect(m.badCount, `${what}: max |diff| ${m.maxAbsDiff.toExponential(2)}; ${where}`).toBe(0);
}
