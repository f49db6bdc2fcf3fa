/**
 * Curves for drawing: a run can have 30,000 steps, the screen a few hundred pixels. Every run is reduced onto
 * the same grid of step buckets, so runs overlaid in one chart share x values and the hover readout lists
 * every run at the same step.
 */

/** Bucket width (in steps) that keeps at most `maxPoints` points for the longest run. */
export function bucketWidth(maxStep: number, maxPoints: number): number {
  return Math.max(1, Math.ceil(maxStep / Math.max(1, maxPoints)));
}

export type Reduce = 'last' | 'mean';

/**
 * One value per bucket of `width` steps: the bucket's last value (for series that are already smooth, such
 * as a learning rate or an EMA) or its mean (for noisy ones). Points are placed at the bucket's last step
 * (the end of the bucket, rounded up to the grid), so the last point of a run is at its last step.
 */
export function downsample(steps: ArrayLike<number>, values: ArrayLike<number>, width: number, reduce: Reduce): Map<number, number> {
  const out = new Map<number, number>();
  let bucket = -1;
  let sum = 0;
  let count = 0;
  let last = NaN;
  const flush = (): void => {
    if (bucket < 0) return;
    out.set(bucket, reduce === 'mean' ? (count > 0 ? sum / count : last) : last);
  };
  for (let i = 0; i < steps.length; i++) {
    const b = Math.ceil(steps[i]! / width) * width;
    if (b !== bucket) {
      flush();
      bucket = b;
      sum = 0;
      count = 0;
    }
    const v = values[i]!;
    last = v;
    if (Number.isFinite(v)) {
      sum += v;
      count++;
    }
  }
  flush();
  return out;
}

/** Rows for a chart: one object per x, one key per series (absent where a series has no point). */
export function mergeSeries(series: ReadonlyMap<string, ReadonlyMap<number, number>>): Array<Record<string, number>> {
  const rows = new Map<number, Record<string, number>>();
  for (const [key, points] of series) {
    for (const [x, y] of points) {
      let row = rows.get(x);
      if (!row) {
        row = { step: x };
        rows.set(x, row);
      }
      row[key] = y;
    }
  }
  return [...rows.values()].sort((a, b) => a.step! - b.step!);
}
