/**
 * Curves for drawing: a run can have 30,000 steps, the screen a few hundred pixels. Every run is reduced onto
 * the same grid of x buckets (steps, examples, epochs or seconds), so runs overlaid in one chart share x values
 * and the hover readout lists every run at the same x.
 */

/**
 * Bucket width that keeps at most `maxPoints` points up to `maxX`: whole for steps and examples; for epochs and
 * seconds a round fraction (1, 2 or 5 × 10^k), so a run of 2 epochs still gets its few hundred points and a point
 * at epoch 0.25 stays at 0.25.
 */
export function bucketWidth(maxX: number, maxPoints: number, whole = true): number {
  const width = maxX / Math.max(1, maxPoints);
  if (whole) return Math.max(1, Math.ceil(width));
  if (!(width > 0) || !Number.isFinite(width)) return 1;
  const power = 10 ** Math.floor(Math.log10(width));
  return [1, 2, 5, 10].map((m) => m * power).find((w) => w >= width * (1 - 1e-12))!;
}

export type Reduce = 'last' | 'mean';

/**
 * One value per bucket of `width` steps: the bucket's last value (for series that are already smooth, such
 * as a learning rate or an EMA) or its mean (for noisy ones). Points are placed at the bucket's end (rounded
 * up to the grid), so the last point of a run is at its last x.
 */
export function downsample(xs: ArrayLike<number>, values: ArrayLike<number>, width: number, reduce: Reduce): Map<number, number> {
  const out = new Map<number, number>();
  let bucket = -1;
  let sum = 0;
  let count = 0;
  let last = NaN;
  const flush = (): void => {
    if (bucket < 0) return;
    out.set(bucket, reduce === 'mean' ? (count > 0 ? sum / count : last) : last);
  };
  for (let i = 0; i < xs.length; i++) {
    // Rounded so the same bucket computed for two runs is the same number (a shared row).
    // A point on the grid stays there (x / width can come out a hair above a whole number in floating point).
    const b = +(Math.ceil(xs[i]! / width - 1e-9) * width).toPrecision(12);
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

/** Rows for a chart: one object per x (key `x`), one key per series (absent where a series has no point). */
export function mergeSeries(series: ReadonlyMap<string, ReadonlyMap<number, number>>): Array<Record<string, number>> {
  const rows = new Map<number, Record<string, number>>();
  for (const [key, points] of series) {
    for (const [x, y] of points) {
      let row = rows.get(x);
      if (!row) {
        row = { x };
        rows.set(x, row);
      }
      row[key] = y;
    }
  }
  return [...rows.values()].sort((a, b) => a.x! - b.x!);
}
