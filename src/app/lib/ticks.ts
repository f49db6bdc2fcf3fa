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

/**
 * A log axis over [min, max] (both > 0): the domain widened to the enclosing 1-2-5 marks, ticks at the 1, 2 and 5
 * multiples inside it (only the powers of ten when there are more than `count`).
 */
export function logAxis(min: number, max: number, count = 6): Axis {
  if (!(min > 0) || !(max > 0) || !Number.isFinite(min) || !Number.isFinite(max)) return { domain: [1, 10], ticks: [1, 10] };
  const marks: number[] = [];
  for (let p = Math.floor(Math.log10(min)) - 1; p <= Math.ceil(Math.log10(max)) + 1; p++) for (const m of [1, 2, 5]) marks.push(+(m * 10 ** p).toPrecision(6));
  let lo = [...marks].reverse().find((m) => m <= min * (1 + 1e-9)) ?? min;
  let hi = marks.find((m) => m >= max * (1 - 1e-9)) ?? max;
  if (lo === hi) [lo, hi] = [marks[marks.indexOf(lo) - 1] ?? lo / 2, marks[marks.indexOf(hi) + 1] ?? hi * 2]; // one value: the marks around it
  const inside = marks.filter((m) => m >= lo && m <= hi);
  const ticks = inside.length <= count ? inside : inside.filter((m) => Math.abs(Math.log10(m) - Math.round(Math.log10(m))) < 1e-9 || m === lo || m === hi);
  return { domain: [lo, hi], ticks };
}
