/**
 * GPU self-check: every kernel runs once on small seeded inputs and is compared with its CPU reference twin,
 * on whatever adapter the user has. The dashboard runs it in the Worker so a broken driver shows up before a
 * training run, not as a wrong MRR after it.
 */
import type { Runtime } from '../gpu/runtime';
import { GpuError } from '../gpu/errors';
import { KERNEL_CHECKS } from './checks';
import type { KernelCheck } from './kernel_check';

export type { KernelCheck } from './kernel_check';

export interface SelfCheckResult {
  readonly kernel: string;
  readonly ok: boolean;
  readonly maxAbsDiff: number;
  readonly tolerance: number;
  readonly error?: string;
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
