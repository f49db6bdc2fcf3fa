/** Playground slice: the code-search playground's last answer (top codes per model, the gold code's rank), or why it failed. */
import type { StateCreator } from 'zustand';
import type { PlaygroundAnswer } from '../worker/protocol';
import type { LabState } from './store';

export type PlaygroundState =
  | { readonly status: 'idle' }
  | { readonly status: 'running' }
  | { readonly status: 'done'; readonly answer: PlaygroundAnswer }
  | { readonly status: 'error'; readonly message: string };

export interface PlaygroundSlice {
  playground: PlaygroundState;
  setPlayground: (state: PlaygroundState) => void;
}

export const createPlaygroundSlice: StateCreator<LabState, [], [], PlaygroundSlice> = (set) => ({
  playground: { status: 'idle' },
  setPlayground: (playground) => set({ playground }),
});
