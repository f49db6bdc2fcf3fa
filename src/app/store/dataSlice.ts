/**
 * Data slice: the dropped shards (reading progress, report, token-length statistics) and how a run uses them:
 * one shard trains, validation pairs come from a second shard or from a seeded split of the first.
 */
import type { StateCreator } from 'zustand';
import type { ShardProgress, ShardReport, ShardStatistics } from '../../engine/data';
import type { DataRoles } from '../lib/workspace';
import type { DataPlan } from '../worker/protocol';
import type { LabState } from './store';

export type ShardStatus = 'reading' | 'ready' | 'error';
export type ValidMode = 'shard' | 'split' | 'none';

export interface ShardState {
  readonly id: string;
  readonly name: string;
  readonly size: number | null;
  readonly status: ShardStatus;
  readonly progress: ShardProgress | null;
  readonly report: ShardReport | null;
  readonly error: string | null;
  readonly stats: ShardStatistics | null;
  /** The lengths the statistics were computed for ("code/query"). */
  readonly statsFor: string | null;
}

export interface DataSlice {
  shards: readonly ShardState[];
  trainShard: string | null;
  validShard: string | null;
  validMode: ValidMode;
  splitFraction: number;
  splitSeed: number;
  validLimit: number | null;
  addShard: (id: string, name: string, size: number | null) => void;
  setShardProgress: (id: string, progress: ShardProgress) => void;
  setShardReady: (id: string, report: ShardReport) => void;
  setShardError: (id: string, message: string) => void;
  setShardStats: (id: string, stats: ShardStatistics, key: string) => void;
  removeShard: (id: string) => void;
  setRole: (id: string, role: 'train' | 'valid') => void;
  setValidMode: (mode: ValidMode) => void;
  setSplit: (fraction: number, seed: number) => void;
  setValidLimit: (limit: number | null) => void;
  /** The roles of a restored workspace (ids that are not among the shards are ignored). */
  restoreRoles: (roles: DataRoles) => void;
}

const looksLikeValidation = (name: string): boolean => /(^|[^a-z])(valid|validation|dev|val)([^a-z]|$)/i.test(name);

function patch(shards: readonly ShardState[], id: string, change: Partial<ShardState>): ShardState[] {
  return shards.map((s) => (s.id === id ? { ...s, ...change } : s));
}

export const createDataSlice: StateCreator<LabState, [], [], DataSlice> = (set, get) => {
  const update = (change: Partial<DataSlice> | ((s: LabState) => Partial<DataSlice>)): void => {
    set(change);
    get().revalidate();
  };
  return {
    shards: [],
    trainShard: null,
    validShard: null,
    validMode: 'split',
    splitFraction: 0.1,
    splitSeed: 1,
    validLimit: 1000,
    addShard: (id, name, size) =>
      update((s) => {
        const shard: ShardState = { id, name, size, status: 'reading', progress: null, report: null, error: null, stats: null, statsFor: null };
        // A file named like a validation split becomes the validation shard; anything else trains.
        if (looksLikeValidation(name) && s.trainShard !== null) return { shards: [...s.shards, shard], validShard: id, validMode: 'shard' };
        return { shards: [...s.shards, shard], trainShard: s.trainShard ?? id };
      }),
    setShardProgress: (id, progress) => set((s) => ({ shards: patch(s.shards, id, { progress }) })),
    setShardReady: (id, report) => update((s) => ({ shards: patch(s.shards, id, { status: 'ready', report, progress: null }) })),
    setShardError: (id, error) => update((s) => ({ shards: patch(s.shards, id, { status: 'error', error, progress: null }) })),
    setShardStats: (id, stats, statsFor) => set((s) => ({ shards: patch(s.shards, id, { stats, statsFor }) })),
    removeShard: (id) =>
      update((s) => {
        const shards = s.shards.filter((x) => x.id !== id);
        const trainShard = s.trainShard === id ? (shards.find((x) => x.id !== s.validShard)?.id ?? null) : s.trainShard;
        const validShard = s.validShard === id ? null : s.validShard;
        return { shards, trainShard, validShard, validMode: validShard === null && s.validMode === 'shard' ? 'split' : s.validMode };
      }),
    setRole: (id, role) =>
      update((s) => {
        if (role === 'train') return { trainShard: id, validShard: s.validShard === id ? null : s.validShard };
        return { validShard: id, validMode: 'shard', trainShard: s.trainShard === id ? null : s.trainShard };
      }),
    setValidMode: (validMode) => update({ validMode }),
    setSplit: (splitFraction, splitSeed) => update({ splitFraction, splitSeed }),
    setValidLimit: (validLimit) => update({ validLimit }),
    restoreRoles: (roles) =>
      update((s) => {
        const has = (id: string | null): id is string => id !== null && s.shards.some((x) => x.id === id);
        const validShard = has(roles.validShard) ? roles.validShard : null;
        const validMode = roles.validMode === 'shard' && validShard === null ? 'split' : roles.validMode;
        return { trainShard: has(roles.trainShard) ? roles.trainShard : s.trainShard, validShard, validMode, splitFraction: roles.splitFraction, splitSeed: roles.splitSeed, validLimit: roles.validLimit };
      }),
  };
};

const ready = (s: DataSlice, id: string | null): ShardState | null => s.shards.find((x) => x.id === id && x.status === 'ready') ?? null;

/** The run's data plan, or what is missing. */
export function selectDataPlan(s: DataSlice): { plan: DataPlan | null; problem: string | null } {
  const train = ready(s, s.trainShard);
  if (!train) return { plan: null, problem: s.shards.length === 0 ? 'Drop a dataset shard (or use the sample) to train.' : 'Pick a shard that has finished reading as the training shard.' };
  let valid: DataPlan['valid'] = { kind: 'none' };
  if (s.validMode === 'shard') {
    const v = ready(s, s.validShard);
    if (!v) return { plan: null, problem: 'Pick a validation shard, or split the training shard.' };
    valid = { kind: 'shard', id: v.id };
  } else if (s.validMode === 'split') valid = { kind: 'split', fraction: s.splitFraction, seed: s.splitSeed };
  return { plan: { train: train.id, valid, validLimit: s.validLimit }, problem: null };
}

/** How many validation pairs a run will rank (for the memory estimate), when known. */
export function selectValidCount(s: DataSlice): number | null {
  const train = ready(s, s.trainShard);
  let n: number | null = null;
  if (s.validMode === 'shard') n = ready(s, s.validShard)?.report?.examples ?? null;
  if (s.validMode === 'split' && train?.report) n = Math.max(1, Math.round(train.report.examples * s.splitFraction));
  if (s.validMode === 'none') n = 0;
  return n === null ? null : Math.min(n, s.validLimit ?? n);
}

/** Training examples of the chosen shard (minus a held-out split), when it has been read: a run's epochs in steps. */
export function selectTrainCount(s: DataSlice): number | null {
  const n = ready(s, s.trainShard)?.report?.examples ?? null;
  if (n === null) return null;
  return s.validMode === 'split' ? n - Math.max(1, Math.round(n * s.splitFraction)) : n;
}

/** The dataset as a run configuration names it: the files, never their content. */
export function selectDatasetName(s: DataSlice): string {
  const train = s.shards.find((x) => x.id === s.trainShard);
  if (!train) return '';
  if (s.validMode === 'shard') {
    const valid = s.shards.find((x) => x.id === s.validShard);
    return valid ? `${train.name} (validation: ${valid.name})` : train.name;
  }
  if (s.validMode === 'split') return `${train.name} (validation: ${Math.round(s.splitFraction * 100)}% split, seed ${s.splitSeed})`;
  return train.name;
}
