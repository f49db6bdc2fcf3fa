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
