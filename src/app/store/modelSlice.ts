/** Model slice: the model the Worker has loaded (demo or dropped files), or why loading failed. */
import type { StateCreator } from 'zustand';
import type { ModelInfo } from '../worker/protocol';
import type { LabState } from './store';

export type ModelStatus = 'none' | 'loading' | 'ready' | 'error';

export interface ModelSlice {
  modelStatus: ModelStatus;
  model: ModelInfo | null;
  modelError: string | null;
  setModelLoading: () => void;
  setModel: (model: ModelInfo) => void;
  setModelError: (message: string) => void;
}

export const createModelSlice: StateCreator<LabState, [], [], ModelSlice> = (set, get) => ({
  modelStatus: 'none',
  model: null,
  modelError: null,
  setModelLoading: () => set({ modelStatus: 'loading', modelError: null }),
  setModel: (model) => {
    set({ modelStatus: 'ready', model, modelError: null });
    get().revalidate();
  },
  // A failed load keeps the previous model usable.
  setModelError: (message) => set((s) => ({ modelStatus: s.model ? 'ready' : 'error', modelError: message })),
});
