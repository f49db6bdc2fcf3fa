/** The curves' smoothing choices (src/app/lib/ema.ts): a running average beside the debiased EMA. */
import { describe, expect, it } from 'vitest';
import { debiasedEma, runningAverage, smooth } from '../../src/app/lib/ema';

describe('loss smoothing', () => {
  it('averages the last w finite points; w = 1 is the raw series; a non-finite point is shown, not averaged', () => {
    expect([...runningAverage([1, 2, 3, 4, 5], 2)]).toEqual([1, 1.5, 2.5, 3.5, 4.5]);
    expect([...runningAverage([1, 2, 3], 1)]).toEqual([1, 2, 3]);
    const r = runningAverage([2, Number.NaN, 4], 3);
    expect(r[0]).toBe(2);
    expect(r[1]).toBeNaN();
    expect(r[2]).toBe(3);
  });

  it('chooses EMA or a window of 1 + 100·amount points', () => {
    const xs = Array.from({ length: 30 }, (_, i) => Math.sin(i));
    expect([...smooth(xs, 'ema', 0.6)]).toEqual([...debiasedEma(xs, 0.6)]);
    expect([...smooth(xs, 'window', 0.04)]).toEqual([...runningAverage(xs, 5)]);
    expect([...smooth(xs, 'window', 0)]).toEqual(xs);
  });
});
