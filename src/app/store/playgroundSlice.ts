/**
 * Playground slice: the code-search playground's last answer (top codes per model, the gold code's rank) and the
 * last per-example analysis (every validation query's gold rank per model), or why they failed.
 */
import type { StateCreator } from 'zustand';
import type { AttentionAnswer, ExampleRanksAnswer, PlaygroundAnswer } from '../worker/protocol';
import type { LabState } from './store';

export type PlaygroundState =
  | { readonly status: 'idle' }
  | { readonly status: 'running' }
  | { readonly status: 'done'; readonly answer: PlaygroundAnswer }
  | { readonly status: 'error'; readonly message: string };

export type ExampleRanksState =
  | { readonly status: 'idle' }
  | { readonly status: 'running' }
  | { readonly status: 'done'; readonly answer: ExampleRanksAnswer }
  | { readonly status: 'error'; readonly message: string };

export type AttentionState =
  | { readonly status: 'idle' }
  | { readonly status: 'running' }
  | { readonly status: 'done'; readonly answer: AttentionAnswer }
  | { readonly status: 'error'; readonly message: string };

export interface PlaygroundSlice {
  playground: PlaygroundState;
  exampleRanks: ExampleRanksState;
  attention: AttentionState;
  setPlayground: (state: PlaygroundState) => void;
  setExampleRanks: (state: ExampleRanksState) => void;
  setAttention: (state: AttentionState) => void;
}

export const createPlaygroundSlice: StateCreator<LabState, [], [], PlaygroundSlice> = (set) => ({
  playground: { status: 'idle' },
  exampleRanks: { status: 'idle' },
  attention: { status: 'idle' },
  setPlayground: (playground) => set({ playground }),
  setExampleRanks: (exampleRanks) => set({ exampleRanks }),
  setAttention: (attention) => set({ attention }),
});
