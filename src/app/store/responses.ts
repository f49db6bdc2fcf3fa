/**
 * The engine Worker's responses turned into store actions (runs on the page). Installed once by main.tsx through
 * store/worker_client.ts, so the store and the client do not import each other.
 */
import { zipSync } from 'fflate';
import { adapterKey } from '../../engine/tune/adapter_key';
import { download } from '../lib/export_runs';
import { onWorkerResponse, send } from './worker_client';
import type { WorkerResponse } from '../worker/protocol';
import { onMemoryPlan } from './effects';
import { onRunCheckpoint, onRunEnded, onRunEvents, onRunPaused, onRunPrepared } from './runner';
import { useLab } from './store';
import { onBenchmarkAnswer, onTuneAnswer } from './tuning_client';

export function connectWorker(): void {
  onWorkerResponse(onResponse);
}

function onExport(message: Extract<WorkerResponse, { type: 'export-files' | 'export-error' }>): void {
  const state = useLab.getState();
  if (message.type === 'export-error') return state.setNotice(message.message);
  const run = state.runs.find((r) => r.id === message.runId);
  const prefix = (run?.name ?? message.runId).replace(/[^\w.-]+/g, '_').slice(0, 60);
  // A whole model folder (with subfolders, as sentence-transformers has) goes as one zip; adapters as files.
  if (message.folder) {
    const zip = zipSync(Object.fromEntries(message.files.map((f) => [`${prefix}-${message.folder}/${f.name}`, f.bytes])), { level: 6 });
    download(`${prefix}-${message.folder}.zip`, zip, 'application/zip');
    return state.setNotice(`Downloaded ${prefix}-${message.folder}.zip (${message.files.length} files): unzip it and load the folder.`);
  }
  for (const file of message.files) download(`${prefix}-${file.name}`, file.bytes, 'application/octet-stream');
  state.setNotice(`Downloaded ${message.files.map((f) => f.name).join(', ')}.`);
}

function onResponse(message: WorkerResponse): void {
  const state = useLab.getState();
  switch (message.type) {
    case 'adapter':
      state.setAdapter(message.adapter, message.features);
      return state.loadTuningFor(adapterKey(message.adapter));
    case 'unavailable':
      return state.setUnavailable(message.message);
    case 'selfcheck':
      return state.setSelfCheck(message.results);
    case 'error':
      return state.setDeviceError(message.message);
    case 'model':
      return state.setModel(message.model);
    case 'model-error':
      return state.setModelError(message.message);
    case 'adapter-loaded':
      return state.setImportedAdapter(message.adapter);
    case 'adapter-error':
      return state.setImportError(message.message);
    case 'evaluated':
      return state.setEvaluation({ status: 'done', result: message.result, adapter: state.importedAdapter?.name ?? null });
    case 'evaluate-error':
      return state.setEvaluation({ status: 'error', message: message.message });
    case 'hub-progress':
      return state.setHubProgress(message.progress);
    case 'hub-downloaded':
      state.setHubDownloaded({ modelId: message.modelId, fromCache: message.fromCache, bytes: message.bytes }, message.warnings);
      return state.setModelLoading(); // the loader reads the files next
    case 'hub-error':
      return state.setHubError(message.kind, message.message);
    case 'hub-cache':
      return state.setHubCache(message.listing);
    case 'shard-progress':
      return state.setShardProgress(message.id, message.progress);
    case 'shard':
      return state.setShardReady(message.id, message.report);
    case 'shard-error':
      return state.setShardError(message.id, message.message);
    case 'shard-stats':
      return state.setShardStats(message.id, message.stats, `${message.stats.code.limit + 2}/${message.stats.query.limit + 2}`);
    case 'run-prepared':
      return onRunPrepared(message.runId, message.classes);
    case 'run-paused':
      return onRunPaused(message.runId);
    case 'run-events':
      return onRunEvents(message.runId, message.events, message.memory);
    case 'run-ended':
      onRunEnded(message.runId, message.failure, message.memory);
      return send({ type: 'storage-report' });
    case 'run-checkpoint':
      return onRunCheckpoint(message.runId, message.step, message.problem);
    case 'storage':
      return state.setStorage(message.report);
    case 'search-results':
      return state.setPlayground({ status: 'done', answer: message.answer });
    case 'search-error':
      return state.setPlayground({ status: 'error', message: message.message });
    case 'example-ranks':
      return state.setExampleRanks({ status: 'done', answer: message.answer });
    case 'example-ranks-error':
      return state.setExampleRanks({ status: 'error', message: message.message });
    case 'attention':
      return state.setAttention({ status: 'done', answer: message.answer });
    case 'attention-error':
      return state.setAttention({ status: 'error', message: message.message });
    case 'benchmark-progress':
    case 'benchmark-done':
    case 'benchmark-error':
      return onBenchmarkAnswer(message);
    case 'precision-table':
      return state.setPrecision({ status: 'done', source: message.source, rows: message.rows, n: message.n });
    case 'precision-table-error':
      return state.setPrecision({ status: 'error', message: message.message });
    case 'layer-study':
      return state.setLayerStudy({ status: 'done', study: message.study });
    case 'layer-study-error':
      return state.setLayerStudy({ status: 'error', message: message.message });
    case 'export-files':
    case 'export-error':
      return onExport(message);
    case 'memory-plan':
    case 'memory-plan-error':
      return onMemoryPlan(message);
    case 'tune-progress':
    case 'tune-done':
    case 'tune-cancelled':
    case 'tune-error':
      return onTuneAnswer(message);
  }
}

export function probeDevice(): void {
  if (!('gpu' in navigator)) {
    useLab.getState().setUnavailable('This browser has no WebGPU (navigator.gpu is missing).');
    return;
  }
  send({ type: 'probe' });
}

export function runSelfCheck(): void {
  useLab.getState().startSelfCheck();
  send({ type: 'selfcheck' });
}
