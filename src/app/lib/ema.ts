/**
 * Debiased exponential moving average (TensorBoard's smoothing): s_t = w·s_{t-1} + (1−w)·x_t, divided by
 * 1 − w^(t+1) so the first points are not pulled toward zero. It runs over the full-resolution series; the
 * chart downsamples afterwards, so the smoothed line does not depend on the zoom or the screen width.
 */
export function debiasedEma(values: ArrayLike<number>, weight: number): Float64Array {
  const out = new Float64Array(values.length);
  if (!(weight > 0)) {
    for (let i = 0; i < values.length; i++) out[i] = values[i]!;
    return out;
  }
  const w = Math.min(weight, 0.999);
  let acc = 0;
  let seen = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    // A non-finite point (a diverged step) must not poison every later value: it is shown as-is, not averaged in.
    if (!Number.isFinite(x)) {
      out[i] = x;
      continue;
    }
    acc = w * acc + (1 - w) * x;
    seen++;
    out[i] = acc / (1 - w ** seen);
  }
  return out;
}

/**
 * The running average of the last `window` finite points (W&B's "running average"); a non-finite point is shown
 * as-is and left out of the window. Window 1 is the raw series.
 */
export function runningAverage(values: ArrayLike<number>, window: number): Float64Array {
  const w = Math.max(1, Math.round(window));
  const out = new Float64Array(values.length);
  const kept: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (!Number.isFinite(x)) {
      out[i] = x;
      continue;
    }
    kept.push(x);
    if (kept.length > w) kept.shift();
    // Summed afresh (at most 101 points): a running sum would drift from the points it stands for.
    out[i] = kept.reduce((a, b) => a + b, 0) / kept.length;
  }
  return out;
}

export type Smoothing = 'ema' | 'window';

/** The loss curve smoothed as chosen: `amount` in [0, 1) is the EMA weight, or the window as 1 + 100·amount points. */
export function smooth(values: ArrayLike<number>, kind: Smoothing, amount: number): Float64Array {
  return kind === 'ema' ? debiasedEma(values, amount) : runningAverage(values, 1 + Math.round(100 * amount));
}
