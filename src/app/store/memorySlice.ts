/**
 * Memory slice: the engine planner's answer for the configuration being edited (GPU memory of a step and of
 * the first evaluation), planned in the Worker (memory_plan_client.ts sends the requests and drops stale answers).
 */
import type { StateCreator } from 'zustand';
import type { MemoryPlan } from '../worker/protocol';

export type MemoryPlanState =
  /** Nothing to plan: the configuration does not validate. */
  | { readonly status: 'none' }
  | { readonly status: 'computing' }
  /** `evalExamples`: the validation pairs the evaluation part was planned for (0: none). */
  | { readonly status: 'done'; readonly plan: MemoryPlan; readonly evalExamples: number }
  | { readonly status: 'error'; readonly message: string };

export interface MemorySlice {
  memoryPlan: MemoryPlanState;
  setMemoryPlan: (memoryPlan: MemoryPlanState) => void;
}

export const createMemorySlice: StateCreator<MemorySlice, [], [], MemorySlice> = (set) => ({
  memoryPlan: { status: 'none' },
  setMemoryPlan: (memoryPlan) => set({ memoryPlan }),
});
