/**
 * Playground slice: the code-search playground's last answer (top codes per model, the gold code's rank), the
 * last per-example analysis (every validation query's gold rank per model) and the last precision table (one
 * model's MRR and size at each precision), or why they failed.
 */
import type { StateCreator } from 'zustand';
import type { PrecisionRow } from '../../engine/quant/precision_table';
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

export type PrecisionState =
  | { readonly status: 'idle' }
  | { readonly status: 'running'; readonly source: string | null }
  | { readonly status: 'done'; readonly source: string | null; readonly rows: readonly PrecisionRow[]; readonly n: number }
  | { readonly status: 'error'; readonly message: string };

export interface PlaygroundSlice {
  playground: PlaygroundState;
  exampleRanks: ExampleRanksState;
  attention: AttentionState;
  precision: PrecisionState;
  setPlayground: (state: PlaygroundState) => void;
  setExampleRanks: (state: ExampleRanksState) => void;
  setAttention: (state: AttentionState) => void;
  setPrecision: (state: PrecisionState) => void;
}

export const createPlaygroundSlice: StateCreator<LabState, [], [], PlaygroundSlice> = (set) => ({
  playground: { status: 'idle' },
  exampleRanks: { status: 'idle' },
  attention: { status: 'idle' },
  precision: { status: 'idle' },
  setPlayground: (playground) => set({ playground }),
  setExampleRanks: (exampleRanks) => set({ exampleRanks }),
  setAttention: (attention) => set({ attention }),
  setPrecision: (precision) => set({ precision }),
});
