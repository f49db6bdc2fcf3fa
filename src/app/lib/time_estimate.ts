/**
 * How long a run will take on this GPU, from this browser's benchmark: the planner's FLOPs per step over the
 * throughput the benchmark's training steps achieved (the median over its methods, at its shapes). An estimate:
 * throughput varies with shapes and method; evaluations come on top.
 */
import type { BenchResult } from '../../bench/suite';

export interface TimeEstimate {
  readonly secondsPerStep: number;
  /** The whole run's steps, when they are known (a step count, or epochs of a loaded shard). */
  readonly totalSeconds: number | null;
  /** The throughput used (FLOP/s) and how many benchmarked methods it is the median of. */
  readonly flopsPerSecond: number;
  readonly methods: number;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function estimateRunTime(report: BenchResult | null, flopsPerStep: number, steps: number | null): TimeEstimate | null {
  const rates = (report?.steps ?? []).map((s) => s.tflops * 1e12).filter((r) => Number.isFinite(r) && r > 0);
  if (rates.length === 0 || !(flopsPerStep > 0)) return null;
  const flopsPerSecond = median(rates);
  const secondsPerStep = flopsPerStep / flopsPerSecond;
  return { secondsPerStep, totalSeconds: steps === null ? null : steps * secondsPerStep, flopsPerSecond, methods: rates.length };
}

export function formatDuration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 120) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
