/**
 * Axis ticks computed here rather than by the chart library: "nice" steps (1, 2, 2.5, 5 × 10^k) over the
 * data's range. Charts that are given their ticks skip measuring tick labels in the DOM on every update.
 */

export interface Axis {
  readonly domain: readonly [number, number];
  readonly ticks: readonly number[];
}

const STEPS = [1, 2, 2.5, 5, 10];

function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  return (STEPS.find((s) => s * power >= raw) ?? 10) * power;
}

/** Ticks covering [min, max] with about `count` intervals; a flat or empty range gets a small window around it. */
export function niceAxis(min: number, max: number, count = 5, fromZero = false): Axis {
  let lo = fromZero ? Math.min(0, min) : min;
  let hi = max;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return { domain: [0, 1], ticks: [0, 0.5, 1] };
  if (hi - lo <= Math.abs(hi) * 1e-9) {
    const pad = Math.abs(hi) > 0 ? Math.abs(hi) * 0.1 : 1;
    lo = fromZero ? lo : lo - pad;
    hi += pad;
  }
  const step = niceStep(hi - lo, count);
  const start = Math.floor(lo / step) * step;
  const end = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let i = 0; start + i * step <= end + step * 1e-9; i++) ticks.push(+(start + i * step).toPrecision(12));
  return { domain: [start, end], ticks };
}

/** The y range of chart rows over the given keys. */
export function rowsRange(rows: ReadonlyArray<Record<string, number>>, keys: readonly string[]): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const row of rows) {
    for (const key of keys) {
      const v = row[key];
      if (v === undefined || !Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return [min, max];
}
