/**
 * Keeps the workspace record (lib/workspace.ts) in step with the page: the model once a load succeeds, the
 * shards that finished reading with where their bytes are, the data roles, the checkpoint interval, and the
 * data plan of every run that may still start or resume. Loaders note what they asked for; the record is
 * written when the store says it happened.
 */
import { readWorkspace, writeWorkspace, type DataRoles, type ModelEntry, type RunPlan, type ShardRecord, type Workspace } from '../lib/workspace';
import { useLab, type LabState } from './store';

let pendingModel: ModelEntry | null = null;
let model: ModelEntry | null = null;
const shardSources = new Map<string, ShardRecord['source']>();
let plans: Record<string, RunPlan> = {};
let written = '';
/** Kept while the forms are invalid (being typed), so a reload then restores the last valid configuration. */
let lastConfig: unknown = null;

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

/** What a model load was asked to load: recorded if the load succeeds. */
export function noteModelRequest(entry: ModelEntry): void {
  pendingModel = entry;
}

export function noteShardSource(id: string, source: ShardRecord['source']): void {
  shardSources.set(id, source);
}

export function rememberPlan(runId: string, plan: RunPlan): void {
  plans = { ...plans, [runId]: plan };
  save();
}

export function planOf(runId: string): RunPlan | null {
  return Object.hasOwn(plans, runId) ? plans[runId]! : null;
}

export function forgetPlan(runId: string): void {
  if (!Object.hasOwn(plans, runId)) return;
  const { [runId]: _gone, ...rest } = plans;
  plans = rest;
  save();
}

function rolesOf(s: LabState): DataRoles {
  return { trainShard: s.trainShard, validShard: s.validShard, validMode: s.validMode, splitFraction: s.splitFraction, splitSeed: s.splitSeed, validLimit: s.validLimit };
}

function snapshot(s: LabState): Workspace {
  // Shards still reading stay listed (a reload during a restore keeps them); a shard that failed is dropped.
  const shards = s.shards.filter((x) => x.status !== 'error' && shardSources.has(x.id)).map((x) => ({ id: x.id, name: x.name, size: x.size, source: shardSources.get(x.id)! }));
  return { model, shards, roles: rolesOf(s), plans, checkpointEvery: s.checkpointEvery, config: s.runConfig ?? lastConfig, memoryBudget: s.memoryBudget };
}

function save(): void {
  const workspace = snapshot(useLab.getState());
  const text = JSON.stringify(workspace);
  if (text === written) return;
  written = text;
  writeWorkspace(storage(), workspace);
}

/** The stored workspace (read once at startup, before anything is loaded), or null. */
export function storedWorkspace(): Workspace | null {
  const workspace = readWorkspace(storage());
  if (workspace) {
    model = workspace.model;
    lastConfig = workspace.config;
    plans = { ...workspace.plans };
    for (const shard of workspace.shards) shardSources.set(shard.id, shard.source);
  }
  return workspace;
}

export function installWorkspaceSaving(): void {
  useLab.subscribe((s, prev) => {
    if (s.model !== prev.model && s.model) {
      model = pendingModel ?? model;
      pendingModel = null;
    }
    // A stored model that no longer loads (its files were freed) is not asked for again on the next visit.
    if (s.modelError !== null && s.modelError !== prev.modelError) {
      if (JSON.stringify(pendingModel) === JSON.stringify(model)) model = null;
      pendingModel = null;
      save();
    }
    const rolesChanged = s.trainShard !== prev.trainShard || s.validShard !== prev.validShard || s.validMode !== prev.validMode || s.splitFraction !== prev.splitFraction || s.splitSeed !== prev.splitSeed || s.validLimit !== prev.validLimit;
    if (s.runConfig) lastConfig = s.runConfig;
    if (s.model !== prev.model || s.shards !== prev.shards || rolesChanged || s.checkpointEvery !== prev.checkpointEvery || s.runConfig !== prev.runConfig || s.memoryBudget !== prev.memoryBudget) save();
  });
}
