/**
 * Tuning slice: the matmul tuning table for this GPU (loaded from localStorage when the adapter is known,
 * replaced by a new tuning, cleared on request) and the state of a tuning in the Worker. Runs and
 * evaluations send the table with their request (runner.ts, adapter.ts).
 */
import type { StateCreator } from 'zustand';
import { clearTuning, loadTuning, saveTuning, type SavedTuning } from '../lib/tuning_storage';

export type TuneState =
  | { readonly status: 'idle' }
  | { readonly status: 'running'; readonly done: number; readonly total: number }
  | { readonly status: 'cancelled' }
  | { readonly status: 'error'; readonly message: string };

export interface TuningSlice {
  /** The adapter key tables are filed under (null until the Worker found an adapter). */
  tuningAdapter: string | null;
  matmulTuning: SavedTuning | null;
  tuneState: TuneState;
  loadTuningFor: (adapter: string) => void;
  setTuneState: (state: TuneState) => void;
  setTuned: (saved: SavedTuning) => void;
  clearMatmulTuning: () => void;
}

/** localStorage, or nothing where reading it throws (sandboxed frames, some private modes). */
function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

export const createTuningSlice: StateCreator<TuningSlice, [], [], TuningSlice> = (set, get) => ({
  tuningAdapter: null,
  matmulTuning: null,
  tuneState: { status: 'idle' },
  loadTuningFor: (adapter) => set({ tuningAdapter: adapter, matmulTuning: loadTuning(storage(), adapter) }),
  setTuneState: (tuneState) => set({ tuneState }),
  setTuned: (saved) => {
    saveTuning(storage(), saved);
    set({ matmulTuning: saved, tuneState: { status: 'idle' } });
  },
  clearMatmulTuning: () => {
    const adapter = get().tuningAdapter;
    if (adapter !== null) clearTuning(storage(), adapter);
    set({ matmulTuning: null, tuneState: { status: 'idle' } });
  },
});
