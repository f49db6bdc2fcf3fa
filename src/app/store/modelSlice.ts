/**
 * Model slice: the model the Worker has loaded (demo or dropped files), or why loading failed; the trained
 * adapter chosen on top of it (the next runs start from it); and the last evaluation without training.
 */
import type { StateCreator } from 'zustand';
import type { AdapterInfo, EvaluationResult, ModelInfo } from '../worker/protocol';
import type { LabState } from './store';

export type ModelStatus = 'none' | 'loading' | 'ready' | 'error';

export type Evaluation =
  | { readonly status: 'idle' }
  | { readonly status: 'running' }
  | { readonly status: 'done'; readonly result: EvaluationResult; readonly adapter: string | null }
  | { readonly status: 'error'; readonly message: string };

export interface ModelSlice {
  modelStatus: ModelStatus;
  model: ModelInfo | null;
  modelError: string | null;
  importedAdapter: AdapterInfo | null;
  importLoading: boolean;
  importError: string | null;
  evaluation: Evaluation;
  setModelLoading: () => void;
  setModel: (model: ModelInfo) => void;
  setModelError: (message: string) => void;
  setImportLoading: () => void;
  setImportedAdapter: (adapter: AdapterInfo) => void;
  setImportError: (message: string) => void;
  clearImportedAdapter: () => void;
  setEvaluation: (evaluation: Evaluation) => void;
}

export const createModelSlice: StateCreator<LabState, [], [], ModelSlice> = (set, get) => ({
  modelStatus: 'none',
  model: null,
  modelError: null,
  importedAdapter: null,
  importLoading: false,
  importError: null,
  evaluation: { status: 'idle' },
  setModelLoading: () => set({ modelStatus: 'loading', modelError: null }),
  // The Worker drops the adapter when another model loads: it was trained on the previous one.
  setModel: (model) => {
    set({ modelStatus: 'ready', model, modelError: null, importedAdapter: null, importError: null, evaluation: { status: 'idle' } });
    get().revalidate();
  },
  // A failed load keeps the previous model usable.
  setModelError: (message) => set((s) => ({ modelStatus: s.model ? 'ready' : 'error', modelError: message })),
  setImportLoading: () => set({ importLoading: true, importError: null }),
  // The method panel takes the adapter's configuration, so the next run trains the same modules.
  setImportedAdapter: (adapter) => {
    set({ importedAdapter: adapter, importLoading: false, importError: null, evaluation: { status: 'idle' } });
    get().applyPeft(adapter.peft);
  },
  // A failed load keeps the previous adapter (the Worker still holds it).
  setImportError: (message) => set({ importLoading: false, importError: message }),
  clearImportedAdapter: () => set({ importedAdapter: null, importError: null, evaluation: { status: 'idle' } }),
  setEvaluation: (evaluation) => set({ evaluation }),
});
