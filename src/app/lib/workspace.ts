/**
 * The workspace a reload restores: which model is loaded (demo, the dropped folder the Worker kept in OPFS, or
 * a Hub model in the browser cache), the shards (kept in OPFS, or the bundled sample), how the data is used,
 * each queued or resumable run's data plan, how often runs save checkpoints, and the forms' configuration. Kept in localStorage as one
 * JSON value; what comes back is checked field by field and anything damaged is dropped (never trusted), so a
 * hand-edited or stale value cannot break the page.
 */
import type { DataPlan } from '../worker/protocol';

export type ModelEntry = { readonly kind: 'demo' } | { readonly kind: 'stored'; readonly name: string } | { readonly kind: 'hub'; readonly modelId: string };

export interface ShardRecord {
  readonly id: string;
  readonly name: string;
  readonly size: number | null;
  /** `stored`: the Worker's OPFS copy; `sample`: the bundled sample served with the page. */
  readonly source: 'stored' | 'sample';
}

export interface DataRoles {
  readonly trainShard: string | null;
  readonly validShard: string | null;
  readonly validMode: 'shard' | 'split' | 'none';
  readonly splitFraction: number;
  readonly splitSeed: number;
  readonly validLimit: number | null;
}

/** The data a queued (or resumable) run uses, as it was when it was queued. */
export interface RunPlan {
  readonly data: DataPlan;
  readonly fromAdapter: string | null;
}

export interface Workspace {
  readonly model: ModelEntry | null;
  readonly shards: readonly ShardRecord[];
  readonly roles: DataRoles;
  readonly plans: Readonly<Record<string, RunPlan>>;
  readonly checkpointEvery: number;
  /** The last valid run configuration of the forms, as JSON (checked like a share link's when restored). */
  readonly config: unknown;
  /** GiB a run may use at its peak (null: none). */
  readonly memoryBudget: number | null;
}

export const WORKSPACE_KEY = 'lab.workspace.v1';
export const DEFAULT_CHECKPOINT_EVERY = 100;
/** Bounds what a stored value can make the page do on load (a workspace of a person has a handful of each). */
const MAX_SHARDS = 64;
const MAX_PLANS = 10_000;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown, max = 4096): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isInt = (v: unknown, lo: number, hi: number): v is number => Number.isSafeInteger(v) && (v as number) >= lo && (v as number) <= hi;

function modelEntry(v: unknown): ModelEntry | null {
  if (!isObj(v)) return null;
  if (v.kind === 'demo') return { kind: 'demo' };
  if (v.kind === 'stored' && isStr(v.name)) return { kind: 'stored', name: v.name };
  if (v.kind === 'hub' && isStr(v.modelId, 200)) return { kind: 'hub', modelId: v.modelId };
  return null;
}

function shardRecord(v: unknown): ShardRecord | null {
  if (!isObj(v) || !isStr(v.id, 100) || !isStr(v.name) || (v.source !== 'stored' && v.source !== 'sample')) return null;
  return { id: v.id, name: v.name, size: isInt(v.size, 0, Number.MAX_SAFE_INTEGER) ? v.size : null, source: v.source };
}

const DEFAULT_ROLES: DataRoles = { trainShard: null, validShard: null, validMode: 'split', splitFraction: 0.1, splitSeed: 1, validLimit: 1000 };

function roles(v: unknown): DataRoles {
  if (!isObj(v)) return DEFAULT_ROLES;
  const mode = v.validMode === 'shard' || v.validMode === 'split' || v.validMode === 'none' ? v.validMode : DEFAULT_ROLES.validMode;
  return {
    trainShard: isStr(v.trainShard, 100) ? v.trainShard : null,
    validShard: isStr(v.validShard, 100) ? v.validShard : null,
    validMode: mode,
    splitFraction: isNum(v.splitFraction) && v.splitFraction > 0 && v.splitFraction < 1 ? v.splitFraction : DEFAULT_ROLES.splitFraction,
    splitSeed: isInt(v.splitSeed, 0, 2 ** 32 - 1) ? v.splitSeed : DEFAULT_ROLES.splitSeed,
    validLimit: v.validLimit === null ? null : isInt(v.validLimit, 1, 1e9) ? v.validLimit : DEFAULT_ROLES.validLimit,
  };
}

function dataPlan(v: unknown): DataPlan | null {
  if (!isObj(v) || !isStr(v.train, 100) || !isObj(v.valid)) return null;
  const validLimit = v.validLimit === null ? null : isInt(v.validLimit, 1, 1e9) ? v.validLimit : undefined;
  if (validLimit === undefined) return null;
  const w = v.valid;
  if (w.kind === 'none') return { train: v.train, valid: { kind: 'none' }, validLimit };
  if (w.kind === 'shard' && isStr(w.id, 100)) return { train: v.train, valid: { kind: 'shard', id: w.id }, validLimit };
  if (w.kind === 'split' && isNum(w.fraction) && w.fraction > 0 && w.fraction < 1 && isInt(w.seed, 0, 2 ** 32 - 1)) return { train: v.train, valid: { kind: 'split', fraction: w.fraction, seed: w.seed }, validLimit };
  return null;
}

function plans(v: unknown): Record<string, RunPlan> {
  const out: Record<string, RunPlan> = {};
  if (!isObj(v)) return out;
  for (const [id, p] of Object.entries(v).slice(0, MAX_PLANS)) {
    const data = isObj(p) ? dataPlan(p.data) : null;
    const fromAdapter = isObj(p) && (p.fromAdapter === null || isStr(p.fromAdapter)) ? (p.fromAdapter as string | null) : undefined;
    if (data && fromAdapter !== undefined) out[id] = { data, fromAdapter };
  }
  return out;
}

/** The workspace in a stored value, with anything damaged left out (null: nothing usable at all). */
export function parseWorkspace(value: unknown): Workspace | null {
  if (!isObj(value)) return null;
  const shards = Array.isArray(value.shards) ? value.shards.slice(0, MAX_SHARDS).map(shardRecord).filter((s): s is ShardRecord => s !== null) : [];
  const ids = new Set(shards.map((s) => s.id));
  return {
    model: modelEntry(value.model),
    shards: shards.filter((s, i) => shards.findIndex((t) => t.id === s.id) === i),
    roles: roles(value.roles),
    plans: Object.fromEntries(Object.entries(plans(value.plans)).filter(([, p]) => ids.has(p.data.train))),
    checkpointEvery: isInt(value.checkpointEvery, 0, 1e9) ? value.checkpointEvery : DEFAULT_CHECKPOINT_EVERY,
    config: isObj(value.config) ? value.config : null,
    memoryBudget: isNum(value.memoryBudget) && value.memoryBudget >= 0 && value.memoryBudget < 2 ** 20 ? value.memoryBudget : null,
  };
}

export function readWorkspace(storage: Storage | undefined): Workspace | null {
  try {
    const raw = storage?.getItem(WORKSPACE_KEY);
    return raw ? parseWorkspace(JSON.parse(raw)) : null;
  } catch {
    return null; // unreadable JSON or storage that throws: start with an empty workspace
  }
}

/** False when the browser refused (quota, storage disabled): the workspace then lasts until the page closes. */
export function writeWorkspace(storage: Storage | undefined, workspace: Workspace): boolean {
  try {
    storage?.setItem(WORKSPACE_KEY, JSON.stringify(workspace));
    return storage !== undefined;
  } catch {
    return false;
  }
}
