/**
 * The memory plan against the adapter's limits, for the Memory panel. Browsers do not report how much memory a
 * GPU has, so the one check possible before a run is the largest single buffer; the sentence is the engine's
 * pre-flight one (plan/preflight.ts), so the warning and the refusal of a run say the same thing.
 */
import type { LargestBuffer } from '../../engine/plan/memory';
import { bufferLimitProblem } from '../../engine/plan/preflight';

/** Warnings against the adapter's limits (empty when the run fits, or while the limits are unknown). */
export function memoryWarnings(largest: LargestBuffer, limits: Readonly<Record<string, number>> | null): string[] {
  const problem = limits ? bufferLimitProblem(largest, limits) : null;
  return problem ? [problem] : [];
}
