/**
 * Loading models (demo, files, Hub id) and shards into the Worker, and the one-click demo (offline: everything
 * is served locally).
 */
import { parseHubEndpoint, type HubEndpoint } from '../lib/hub_endpoint';
import { send } from './worker_client';
import { SAMPLE_BASE } from '../worker/protocol';
import { useLab } from './store';

let counter = 0;
const shardId = (): string => `shard-${Date.now().toString(36)}-${counter++}`;

function sampleBase(): string {
  return new URL(SAMPLE_BASE, document.baseURI).href;
}

export function loadDemoModel(): void {
  useLab.getState().setModelLoading();
  send({ type: 'load-model', source: { kind: 'demo', baseUrl: sampleBase() } });
}

export function loadModelFiles(files: readonly File[]): void {
  useLab.getState().setModelLoading();
  send({ type: 'load-model', source: { kind: 'files', files } });
}

export function addShardFiles(files: readonly File[]): void {
  // Validation files go last so the training shard is known when they arrive (see dataSlice.addShard).
  const ordered = [...files].sort((a, b) => Number(/valid|dev/i.test(a.name)) - Number(/valid|dev/i.test(b.name)));
  for (const file of ordered) {
    const id = shardId();
    useLab.getState().addShard(id, file.name, file.size);
    send({ type: 'add-shard', id, input: { kind: 'file', file } });
  }
}

export function loadSampleShards(): void {
  for (const name of ['train.jsonl', 'valid.jsonl']) {
    const id = shardId();
    useLab.getState().addShard(id, `sample/${name}`, null);
    send({ type: 'add-shard', id, input: { kind: 'url', url: new URL(name, sampleBase()).href, name } });
  }
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
