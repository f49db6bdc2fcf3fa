/** One kernel's check (a kernel and its CPU twin on the same seeded inputs) and the helpers the checks share. */
import type { Runtime } from '../gpu/runtime';

export interface KernelCheck {
  readonly kernel: string;
  readonly tolerance: number;
  /** Runs the kernel and its reference on the same inputs; returns the max absolute difference. */
  run(rt: Runtime): Promise<number>;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = a.length === b.length ? 0 : Number.POSITIVE_INFINITY;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= worst)) worst = d;
  }
  return worst;
}

/** Deterministic inputs in [-1, 1) (the self-check must not depend on Math.random). */
export function seeded(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2147483648 - 1;
  }
  return out;
}
