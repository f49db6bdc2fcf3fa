/**
 * The memory plan against the adapter's limits, for the Memory panel. Browsers do not report how much memory a
 * GPU has, so the one check possible before a run is the largest single buffer; the sentence is the engine's
 * pre-flight one (plan/preflight.ts), so the warning and the refusal of a run say the same thing.
 */
import type { LargestBuffer } from '../../engine/plan/memory';
import { budgetProblem, bufferLimitProblem } from '../../engine/plan/preflight';
import type { MemoryPlan } from '../worker/protocol';

/** Warnings against the adapter's limits (empty when the run fits, or while the limits are unknown). */
export function memoryWarnings(largest: LargestBuffer, limits: Readonly<Record<string, number>> | null): string[] {
  const problem = limits ? bufferLimitProblem(largest, limits) : null;
  return problem ? [problem] : [];
}

/** The planned peak against the budget the user set (GiB), as the refusal of a run will say it. */
export function budgetWarning(plan: MemoryPlan, budgetGiB: number | null): string | null {
  const problem = budgetProblem(plan, budgetGiB === null ? null : budgetGiB * 2 ** 30);
  return problem ? `${problem.charAt(0).toUpperCase()}${problem.slice(1)}: lower the batch size or the sequence lengths, or raise the budget.` : null;
}
