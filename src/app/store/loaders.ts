/**
 * Loading models (demo, files, Hub id) and shards into the Worker, and the one-click demo (offline: everything
 * is served locally).
 */
import { parseHubEndpoint, type HubEndpoint } from '../lib/hub_endpoint';
import { send } from './worker_client';
import type { ShardRecord } from '../lib/workspace';
import { SAMPLE_BASE, type ShardInput } from '../worker/protocol';
import { noteModelRequest, noteShardSource } from './workspace_client';
import { useLab } from './store';

let counter = 0;
const shardId = (): string => `shard-${Date.now().toString(36)}-${counter++}`;

function sampleBase(): string {
  return new URL(SAMPLE_BASE, document.baseURI).href;
}

export function loadDemoModel(): void {
  noteModelRequest({ kind: 'demo' });
  useLab.getState().setModelLoading();
  send({ type: 'load-model', source: { kind: 'demo', baseUrl: sampleBase() } });
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

export function loadSampleShards(): void {
  for (const name of SAMPLE_FILES) {
    const id = shardId();
    noteShardSource(id, 'sample');
    useLab.getState().addShard(id, `sample/${name}`, null);
    send({ type: 'add-shard', id, input: sampleInput(name) });
  }
}

const SAMPLE_FILES = ['train.jsonl', 'valid.jsonl'];

function sampleInput(name: string): ShardInput {
  return { kind: 'url', url: new URL(name, sampleBase()).href, name };
}

/** A shard of the stored workspace, under its old id (the run plans name it). */
export function restoreShard(shard: ShardRecord): void {
  useLab.getState().addShard(shard.id, shard.name, shard.size);
  const sample = shard.source === 'sample' ? SAMPLE_FILES.find((f) => shard.name === `sample/${f}`) : undefined;
  if (shard.source === 'sample' && !sample) return useLab.getState().setShardError(shard.id, 'Not a file of the bundled sample.');
  send({ type: 'add-shard', id: shard.id, input: sample ? sampleInput(sample) : { kind: 'stored', name: shard.name } });
}

export function removeShard(id: string): void {
  useLab.getState().removeShard(id);
  send({ type: 'remove-shard', id });
}

/** Demo model + sample shard + the quick recipe: a first run is one more click away. */
export function loadDemo(): void {
  const state = useLab.getState();
  if (state.modelStatus !== 'ready' || !state.model?.demo) loadDemoModel();
  if (!state.shards.some((s) => s.name.startsWith('sample/'))) loadSampleShards();
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
