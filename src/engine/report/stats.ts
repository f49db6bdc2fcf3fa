/** Mean and standard deviation across seeds, as the thesis reports runs that differ only by seed. */

export interface MeanStd {
  readonly mean: number;
  /** Population standard deviation (numpy's default, ddof = 0); 0 for a single value. */
  readonly std: number;
  readonly n: number;
}

export function meanStd(values: readonly number[]): MeanStd | null {
  const xs = values.filter((v) => Number.isFinite(v));
  if (xs.length === 0) return null;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
  return { mean, std: Math.sqrt(variance), n: xs.length };
}
