/** Number formatting shared by the panels, the charts and the exports' human-readable columns. */

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** The binary unit that suits `bytes`: its index and its size. */
function byteUnit(bytes: number): { index: number; size: number } {
  let index = 0;
  while (bytes >= 1024 ** (index + 1) && index < BYTE_UNITS.length - 1) index++;
  return { index, size: 1024 ** index };
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '—';
  const { index, size } = byteUnit(bytes);
  const v = bytes / size;
  return `${v >= 100 || index === 0 ? v.toFixed(0) : v.toFixed(1)} ${BYTE_UNITS[index]}`;
}

/** Mean ± std in the mean's unit: "7.2 ± 0.1 MiB". */
export function formatBytesSpread(mean: number, std: number): string {
  const { index, size } = byteUnit(mean);
  const digits = index === 0 ? 0 : 1;
  return `${(mean / size).toFixed(digits)} ± ${(std / size).toFixed(digits)} ${BYTE_UNITS[index]}`;
}

/** Mean ± std of durations in seconds: "6.5 ± 0.5 s". */
export function formatSecondsSpread(meanMs: number, stdMs: number): string {
  const digits = meanMs < 10_000 ? 1 : 0;
  return `${(meanMs / 1000).toFixed(digits)} ± ${(stdMs / 1000).toFixed(digits)} s`;
}

/** Parameter counts as the thesis writes them: 943K, 125M. */
export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e8 ? 0 : 2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(n >= 1e5 ? 0 : 1)}K`;
  return String(n);
}

export function formatPercent(p: number): string {
  if (!Number.isFinite(p)) return '—';
  if (p === 0) return '0%';
  if (p < 0.01) return '<0.01%';
  return `${p.toFixed(p >= 10 ? 1 : 2)}%`;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Axis ticks for steps: 30000 → "30k", so a 30,000-step axis stays readable. */
export function formatStep(step: number): string {
  if (Math.abs(step) >= 10_000) return `${+(step / 1000).toFixed(1)}k`;
  return String(Math.round(step));
}

/** Short numbers for axes and readouts: 1e-5 stays "1e-5", 0.2719 stays "0.2719". */
export function formatValue(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined) return '—';
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e5) return v.toExponential(Math.max(0, digits - 3)).replace('e+', 'e');
  return String(+v.toPrecision(digits));
}

/** MRR and recall as percentages, as the thesis' tables print them. */
export function formatMetric(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : (100 * v).toFixed(2);
}
