/**
 * The curves' x-axis: optimizer steps, epochs, training examples seen, or wall time — as in TensorBoard and W&B.
 * Runs with different batch sizes or dataset sizes only line up on examples or epochs; runs on different GPUs
 * only compare on wall time.
 */
import type { RunCurves } from './run_types';

export type XAxisKind = 'step' | 'epoch' | 'examples' | 'time';

export const X_AXES: readonly { readonly id: XAxisKind; readonly label: string }[] = [
  { id: 'step', label: 'step' },
  { id: 'epoch', label: 'epoch' },
  { id: 'examples', label: 'examples seen' },
  { id: 'time', label: 'wall time' },
];

export function isXAxisKind(v: unknown): v is XAxisKind {
  return X_AXES.some((a) => a.id === v);
}

/** The index of `step` in the ascending `steps`, or of the last step before it (-1 when none). */
function indexAtOrBefore(steps: readonly number[], step: number): number {
  let lo = 0;
  let hi = steps.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (steps[mid]! <= step) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * x of a step of this run, or null when the run lacks what the axis needs (curves stored before wall time and
 * epochs were kept). Wall time is in seconds; an evaluation sits at the wall time of the step it follows.
 */
export function xOfStep(kind: XAxisKind, c: RunCurves, batchSize: number): ((step: number) => number) | null {
  if (kind === 'step') return (step) => step;
  if (kind === 'examples') return (step) => step * batchSize;
  if (kind === 'epoch') {
    const perEpoch = c.stepsPerEpoch;
    return perEpoch ? (step) => step / perEpoch : null;
  }
  if (c.elapsedMs.length !== c.step.length || c.step.length === 0) return null;
  return (step) => {
    const i = indexAtOrBefore(c.step, step);
    return i < 0 ? 0 : c.elapsedMs[i]! / 1000;
  };
}

/** Steps and examples stay whole numbers on the grid; epochs and seconds do not. */
export function isWholeAxis(kind: XAxisKind): boolean {
  return kind === 'step' || kind === 'examples';
}

export function formatX(kind: XAxisKind, v: number): string {
  if (kind === 'epoch') return `${+v.toFixed(2)}`;
  if (kind === 'time') return formatSeconds(v);
  if (Math.abs(v) >= 10_000) return `${+(v / 1000).toFixed(1)}k`;
  return String(Math.round(v));
}

/** 42 s, 3:05, 1:02:09 — wall time as a clock reads it. */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, seconds);
  if (s < 60) return `${+s.toFixed(s < 10 ? 1 : 0)} s`;
  const whole = Math.round(s);
  const [h, m, sec] = [Math.floor(whole / 3600), Math.floor((whole % 3600) / 60), whole % 60];
  const two = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(sec)}` : `${m}:${two(sec)}`;
}

export function readoutLabel(kind: XAxisKind, v: number): string {
  if (kind === 'step') return `step ${v.toLocaleString('en-US')}`;
  if (kind === 'examples') return `${v.toLocaleString('en-US')} examples`;
  if (kind === 'epoch') return `epoch ${+v.toFixed(3)}`;
  return formatSeconds(v);
}
