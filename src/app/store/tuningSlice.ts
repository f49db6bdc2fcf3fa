/**
 * Tuning slice: the in-browser benchmark's state and last report, the matmul tuning table for this GPU (loaded from localStorage when the adapter is known,
 * replaced by a new tuning, cleared on request) and the state of a tuning in the Worker. Runs and
 * evaluations send the table with their request (runner.ts, adapter.ts).
 */
import type { StateCreator } from 'zustand';
import { REPORT_SCHEMA } from '../../bench/report';
import type { BenchResult } from '../../bench/suite';
import { clearTuning, loadTuning, saveTuning, type SavedTuning } from '../lib/tuning_storage';

export type TuneState =
  | { readonly status: 'idle' }
  | { readonly status: 'running'; readonly done: number; readonly total: number }
  | { readonly status: 'cancelled' }
  | { readonly status: 'error'; readonly message: string };

/** The in-browser benchmark: its progress lines while it runs, then the report (kept in localStorage). */
export type BenchmarkState =
  | { readonly status: 'idle' }
  | { readonly status: 'running'; readonly lines: readonly string[] }
  | { readonly status: 'error'; readonly message: string };

const BENCHMARK_KEY = 'lab.benchmark.v1';

export interface TuningSlice {
  benchmark: BenchmarkState;
  /** The last benchmark report of this browser (its steps per method feed the time estimate). */
  benchmarkReport: BenchResult | null;
  setBenchmark: (state: BenchmarkState) => void;
  setBenchmarkReport: (report: BenchResult) => void;
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

/** The stored report, if it is one this version wrote (anything else is ignored). */
function loadBenchmark(): BenchResult | null {
  try {
    const json: unknown = JSON.parse(storage()?.getItem(BENCHMARK_KEY) ?? 'null');
    const r = json as Partial<BenchResult> | null;
    return r && r.schema === REPORT_SCHEMA && Array.isArray(r.steps) ? (r as BenchResult) : null;
  } catch {
    return null;
  }
}

export const createTuningSlice: StateCreator<TuningSlice, [], [], TuningSlice> = (set, get) => ({
  tuningAdapter: null,
  matmulTuning: null,
  tuneState: { status: 'idle' },
  benchmark: { status: 'idle' },
  benchmarkReport: loadBenchmark(),
  setBenchmark: (benchmark) => set({ benchmark }),
  setBenchmarkReport: (report) => {
    try {
      storage()?.setItem(BENCHMARK_KEY, JSON.stringify(report));
    } catch {
      // Storage full or refused: the report stays for this page only.
    }
    set({ benchmarkReport: report, benchmark: { status: 'idle' } });
  },
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
