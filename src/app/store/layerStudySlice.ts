/** Layer-analysis slice: the last layer study the Worker made (probes per layer and drift), or why it failed. */
import type { StateCreator } from 'zustand';
import type { PageLayerStudy } from '../worker/protocol';
import type { LabState } from './store';

export type LayerStudyState =
  | { readonly status: 'idle' }
  | { readonly status: 'running' }
  | { readonly status: 'done'; readonly study: PageLayerStudy }
  | { readonly status: 'error'; readonly message: string };

export interface LayerStudySlice {
  layerStudy: LayerStudyState;
  setLayerStudy: (state: LayerStudyState) => void;
}

export const createLayerStudySlice: StateCreator<LabState, [], [], LayerStudySlice> = (set) => ({
  layerStudy: { status: 'idle' },
  setLayerStudy: (layerStudy) => set({ layerStudy }),
});
