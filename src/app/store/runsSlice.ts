/**
 * Runs slice: every run's record (config, status, summary metrics), the one training now, and a tick that
 * changes when curves changed. The curves themselves live outside React state (./metrics), appended at the
 * rate events arrive and published to the charts at most once per animation frame.
 */
import type { StateCreator } from 'zustand';
import type { RunRecord } from '../lib/run_types';
import type { LabState } from './store';

export interface RunsSlice {
  runs: readonly RunRecord[];
  activeRunId: string | null;
  curvesTick: number;
  runsLoaded: boolean;
  /** Whether IndexedDB works here (null until known). */
  persistence: boolean | null;
  hydrateRuns: (runs: readonly RunRecord[], persistence: boolean) => void;
  addRuns: (runs: readonly RunRecord[]) => void;
  patchRuns: (patches: ReadonlyMap<string, Partial<RunRecord>>) => void;
  removeRun: (id: string) => void;
  setActiveRun: (id: string | null) => void;
  bumpCurves: () => void;
}

export const createRunsSlice: StateCreator<LabState, [], [], RunsSlice> = (set) => ({
  runs: [],
  activeRunId: null,
  curvesTick: 0,
  runsLoaded: false,
  persistence: null,
  // Runs created before the stored ones finished loading (a quick first click) are kept after them.
  hydrateRuns: (stored, persistence) =>
    set((s) => ({ runs: [...stored.filter((r) => !s.runs.some((x) => x.id === r.id)), ...s.runs], runsLoaded: true, persistence })),
  addRuns: (runs) => set((s) => ({ runs: [...s.runs, ...runs] })),
  patchRuns: (patches) => set((s) => ({ runs: s.runs.map((r) => (patches.has(r.id) ? { ...r, ...patches.get(r.id) } : r)) })),
  removeRun: (id) => set((s) => ({ runs: s.runs.filter((r) => r.id !== id), activeRunId: s.activeRunId === id ? null : s.activeRunId })),
  setActiveRun: (activeRunId) => set({ activeRunId }),
  bumpCurves: () => set((s) => ({ curvesTick: s.curvesTick + 1 })),
});

/** The next palette slot: after the highest in use, so colors stay stable as runs come and go. */
export function nextColor(runs: readonly RunRecord[]): number {
  return runs.reduce((max, r) => Math.max(max, r.color + 1), 0);
}
