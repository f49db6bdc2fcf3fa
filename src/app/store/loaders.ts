/**
 * Loading models (demo, files, Hub id) and shards into the Worker, and the one-click demo (offline: everything
 * is served locally).
 */
import { parseHubEndpoint, type HubEndpoint } from '../lib/hub_endpoint';
import { send } from './worker_client';
import type { ShardRecord } from '../lib/workspace';
import { DEMO_BASE, SAMPLE_BASE, type ShardInput } from '../worker/protocol';
import { noteModelRequest, noteShardSource } from './workspace_client';
import { useLab } from './store';

let counter = 0;
const shardId = (): string => `shard-${Date.now().toString(36)}-${counter++}`;

function pageUrl(path: string): string {
  return new URL(path, document.baseURI).href;
}

export function loadDemoModel(): void {
  noteModelRequest({ kind: 'demo' });
  useLab.getState().setModelLoading();
  send({ type: 'load-model', source: { kind: 'demo', baseUrl: pageUrl(DEMO_BASE) } });
}

export function loadModelFiles(files: readonly File[]): void {
  noteModelRequest({ kind: 'stored', name: folderName(files) });
  useLab.getState().setModelLoading();
  send({ type: 'load-model', source: { kind: 'files', files } });
}

/** The model folder the Worker kept from an earlier visit. */
export function loadStoredModel(name: string): void {
  noteModelRequest({ kind: 'stored', name });
  useLab.getState().setModelLoading();
  send({ type: 'load-model', source: { kind: 'stored' } });
}

function folderName(files: readonly File[]): string {
  const path = files[0]?.webkitRelativePath ?? '';
  return path.includes('/') ? path.slice(0, path.indexOf('/')) : (files.find((f) => f.name === 'config.json') ? 'dropped model' : 'model');
}

export function addShardFiles(files: readonly File[]): void {
  // Validation files go last so the training shard is known when they arrive (see dataSlice.addShard).
  const ordered = [...files].sort((a, b) => Number(/valid|dev/i.test(a.name)) - Number(/valid|dev/i.test(b.name)));
  for (const file of ordered) {
    const id = shardId();
    noteShardSource(id, 'stored');
    useLab.getState().addShard(id, file.name, file.size);
    send({ type: 'add-shard', id, input: { kind: 'file', file } });
  }
}

/** The bundled shards, by the name a shard record keeps (a path under the page's base). */
export const DEMO_SHARDS = [`${DEMO_BASE}train.jsonl`, `${DEMO_BASE}valid.jsonl`] as const;
export const SYNTHETIC_SHARDS = [`${SAMPLE_BASE}train.jsonl`, `${SAMPLE_BASE}valid.jsonl`] as const;
const BUNDLED: readonly string[] = [...DEMO_SHARDS, ...SYNTHETIC_SHARDS];

function loadBundled(names: readonly string[]): void {
  for (const name of names) {
    const id = shardId();
    noteShardSource(id, 'sample');
    useLab.getState().addShard(id, name, null);
    send({ type: 'add-shard', id, input: bundledInput(name) });
  }
}

/** The demo's real-code shard: standard-library functions and their docstrings (public/demo/). */
export function loadDemoShards(): void {
  loadBundled(DEMO_SHARDS);
}

/** The synthetic shard: templated functions of 69 behaviours (public/sample/). */
export function loadSyntheticShards(): void {
  loadBundled(SYNTHETIC_SHARDS);
}

function bundledInput(name: string): ShardInput {
  return { kind: 'url', url: pageUrl(name), name: name.slice(name.indexOf('/') + 1) };
}

/** A shard of the stored workspace, under its old id (the run plans name it). */
export function restoreShard(shard: ShardRecord): void {
  useLab.getState().addShard(shard.id, shard.name, shard.size);
  const bundled = shard.source === 'sample' && BUNDLED.includes(shard.name);
  if (shard.source === 'sample' && !bundled) return useLab.getState().setShardError(shard.id, 'Not a file bundled with the lab.');
  send({ type: 'add-shard', id: shard.id, input: bundled ? bundledInput(shard.name) : { kind: 'stored', name: shard.name } });
}

export function removeShard(id: string): void {
  useLab.getState().removeShard(id);
  send({ type: 'remove-shard', id });
}

/**
 * Demo model + real-code shard + the demo's run (full fine-tuning, the quick recipe: public/demo/quick_run.json):
 * a first run is one more click away. Full fine-tuning because a 64-wide model learns most through its embedding
 * tables, which LoRA leaves frozen; the method panel offers the rest for comparison.
 */
export function loadDemo(): void {
  const state = useLab.getState();
  if (state.modelStatus !== 'ready' || !state.model?.demo) loadDemoModel();
  if (!state.shards.some((s) => s.name.startsWith(DEMO_BASE))) loadDemoShards();
  state.applyPreset('full');
  state.applyRecipePreset('quick');
}

/** The Hub this page talks to: huggingface.co, or the `?hub=` override (validated in lib/hub). */
export function pageHubEndpoint(): HubEndpoint {
  return parseHubEndpoint(window.location.search);
}

export function downloadFromHub(modelId: string): void {
  noteModelRequest({ kind: 'hub', modelId });
  useLab.getState().startHubDownload();
  send({ type: 'hub-load', modelId, endpoint: pageHubEndpoint().endpoint });
}

export function cancelHubDownload(): void {
  send({ type: 'hub-cancel' });
}

export function listCachedModels(): void {
  send({ type: 'hub-cache-list' });
}

export function removeCachedModel(modelId: string): void {
  send({ type: 'hub-cache-delete', modelId });
}
