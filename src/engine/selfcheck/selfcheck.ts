/**
 * GPU self-check: every kernel runs once on small seeded inputs and is compared with its CPU reference twin,
 * on whatever adapter the user has. The dashboard runs it in the Worker so a broken driver shows up before a
 * training run, not as a wrong MRR after it.
 */
import type { Runtime } from '../gpu/runtime';
import { GpuError } from '../gpu/errors';
import { KERNEL_CHECKS } from './checks';

export interface SelfCheckResult {
  readonly kernel: string;
  readonly ok: boolean;
  readonly maxAbsDiff: number;
  readonly tolerance: number;
  readonly error?: string;
}

export interface KernelCheck {
  readonly kernel: string;
  readonly tolerance: number;
  /** Runs the kernel and its reference on the same inputs; returns the max absolute difference. */
  run(rt: Runtime): Promise<number>;
}

export async function runSelfCheck(rt: Runtime, checks: readonly KernelCheck[] = KERNEL_CHECKS): Promise<SelfCheckResult[]> {
  const results: SelfCheckResult[] = [];
  for (const check of checks) {
    try {
      const maxAbsDiff = await check.run(rt);
      results.push({ kernel: check.kernel, ok: maxAbsDiff <= check.tolerance, maxAbsDiff, tolerance: check.tolerance });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      results.push({ kernel: check.kernel, ok: false, maxAbsDiff: Number.NaN, tolerance: check.tolerance, error: message });
      if (error instanceof GpuError && error.kind === 'device-lost') break;
    }
  }
  return results;
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
