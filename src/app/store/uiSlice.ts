/** UI slice: chart smoothing and x-axis, which runs the charts show, the runs table's sort order, one-line notices, the setup panel's fold. */
import type { StateCreator } from 'zustand';
import type { Smoothing } from '../lib/ema';
import type { XAxisKind } from '../lib/x_axis';
import type { LabState } from './store';

export type SortKey = 'created' | 'method' | 'trainable' | 'bestMrr' | 'finalMrr' | 'recall1' | 'time' | 'peak';

export interface UiSlice {
  smoothing: number;
  /** Debiased EMA (TensorBoard) or a running average (W&B) over the loss. */
  smoothingKind: Smoothing;
  setSmoothingKind: (kind: Smoothing) => void;
  /** The curves' x-axis: step, epoch, examples seen or wall time. */
  xAxis: XAxisKind;
  setXAxis: (axis: XAxisKind) => void;
  hiddenRuns: readonly string[];
  sortKey: SortKey;
  sortDescending: boolean;
  notice: string | null;
  /** The setup side panel folded away (the live view takes the width). */
  setupHidden: boolean;
  setSetupHidden: (hidden: boolean) => void;
  setSmoothing: (value: number) => void;
  toggleRunHidden: (id: string) => void;
  setSort: (key: SortKey) => void;
  setNotice: (notice: string | null) => void;
}

export const createUiSlice: StateCreator<LabState, [], [], UiSlice> = (set) => ({
  smoothing: 0.6,
  smoothingKind: 'ema',
  setSmoothingKind: (smoothingKind) => set({ smoothingKind }),
  xAxis: 'step',
  setXAxis: (xAxis) => set({ xAxis }),
  hiddenRuns: [],
  sortKey: 'created',
  sortDescending: false,
  notice: null,
  setupHidden: false,
  setSetupHidden: (setupHidden) => set({ setupHidden }),
  setSmoothing: (smoothing) => set({ smoothing }),
  toggleRunHidden: (id) => set((s) => ({ hiddenRuns: s.hiddenRuns.includes(id) ? s.hiddenRuns.filter((x) => x !== id) : [...s.hiddenRuns, id] })),
  // A second click on the same column flips the order; a new column starts with the best first.
  setSort: (key) => set((s) => (s.sortKey === key ? { sortDescending: !s.sortDescending } : { sortKey: key, sortDescending: key !== 'created' && key !== 'method' })),
  setNotice: (notice) => set({ notice }),
});
