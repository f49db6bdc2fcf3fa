/// <reference lib="webworker" />
/**
 * The engine Worker: owns the GPU so training never blocks the page. It holds the loaded model and the
 * dropped shards, trains one run at a time and speaks the typed protocol in ./protocol and nothing else.
 */
import { acquireDevice } from '../../engine/gpu/device';
import { describeGpuError, GpuError } from '../../engine/gpu/errors';
import { Runtime } from '../../engine/gpu/runtime';
import { runSelfCheck } from '../../engine/selfcheck/selfcheck';
import { readAdapterFiles, type LoadedAdapter } from './adapter_import';
import { evaluateOnly } from './evaluation';
import { toFailure } from './failure';
import { cancelHubDownload, deleteCachedModel, downloadHubModel, hubCacheListing } from './hub_download';
import { planMemory } from './plan_memory';
import { studyModelLayers } from './layer_study';
import { loadDemoModel, loadModelFiles, ModelFilesError, type LoadedModel } from './model_files';
import type { ModelSource, WorkerRequest, WorkerResponse } from './protocol';
import { forgetAllCheckpoints, forgetCheckpoint, forgetShardFile, forgetWorkspaceFiles, storageReport, storedModelFiles, storeModelFiles, storeShardFile } from './workspace_files';
import { readDroppedShard, statisticsOf, type ShardEntry } from './shards';
import { attentionView } from './attention_view';
import { Playground } from './playground';
import { precisionRows } from './precision';
import { browserBenchmark } from './benchmark';
import { Trainer } from './training';
import { KernelTuner } from './tune_matmul';

declare const self: DedicatedWorkerGlobalScope;

let runtime: Promise<Runtime> | null = null;
let model: LoadedModel | null = null;
/** Trained adapter files chosen on top of the model; dropped when another model loads. */
let adapter: LoadedAdapter | null = null;
const shards = new Map<string, ShardEntry>();
const trainer = new Trainer();
const playground = new Playground();
const tuner = new KernelTuner();

function post(message: WorkerResponse, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

function getRuntime(): Promise<Runtime> {
  runtime ??= acquireDevice(self.navigator.gpu).then((acquired) => {
    const rt = new Runtime(acquired);
    rt.on((event) => {
      if (event.type === 'device-lost') runtime = null; // the next request gets a new device
      const message = event.type === 'device-lost' ? event.message : describeGpuError(event.error);
      post({ type: 'error', message });
    });
    return rt;
  });
  return runtime;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

async function addShard(request: Extract<WorkerRequest, { type: 'add-shard' }>): Promise<void> {
  const { id } = request;
  try {
    const read = await readDroppedShard(id, request.input, (progress) => post({ type: 'shard-progress', id, progress }));
    shards.set(id, { id, ...read, input: request.input });
    const { report } = read;
    post({ type: 'shard', id, report });
    // Kept for the next visit once it has proved readable; a failure to keep it only costs that.
    if (request.input.kind === 'file') await storeShardFile(id, request.input.file).catch(() => undefined);
  } catch (error) {
    post({ type: 'shard-error', id, message: toFailure(error).message });
  }
}

async function loadModel(request: Extract<WorkerRequest, { type: 'load-model' }>): Promise<void> {
  try {
    model = await loadFrom(request.source);
    adapter = null;
    post({ type: 'model', model: model.info });
    if (request.source.kind === 'files') await storeModelFiles(request.source.files).catch(() => undefined);
  } catch (error) {
    post({ type: 'model-error', message: message(error) });
  }
}

async function loadFrom(source: ModelSource): Promise<LoadedModel> {
  if (source.kind === 'demo') return loadDemoModel(source.baseUrl);
  if (source.kind === 'files') return loadModelFiles(source.files);
  const files = await storedModelFiles();
  if (files.length === 0) throw new ModelFilesError('The model folder kept in this browser is gone (its storage was freed or cleared): drop the folder again, or use the demo model.');
  return loadModelFiles(files);
}

async function loadHubModel(request: Extract<WorkerRequest, { type: 'hub-load' }>): Promise<void> {
  const files = await downloadHubModel(request, post);
  if (!files) return postHubCache(); // a cancelled or failed download may have left pieces that resume
  try {
    model = await loadModelFiles(files, request.modelId);
    adapter = null;
    post({ type: 'model', model: model.info });
  } catch (error) {
    post({ type: 'model-error', message: message(error) });
  }
  await postHubCache();
}

async function postHubCache(): Promise<void> {
  post({ type: 'hub-cache', listing: await hubCacheListing() });
}

function shardStats(request: Extract<WorkerRequest, { type: 'shard-stats' }>): void {
  const entry = shards.get(request.id);
  if (!entry || !model) return;
  try {
    post({ type: 'shard-stats', id: request.id, stats: statisticsOf(entry, model.tokenizer, request.codeLength, request.nlLength) });
  } catch (error) {
    post({ type: 'shard-error', id: request.id, message: message(error) });
  }
}

function exportRun(request: Extract<WorkerRequest, { type: 'export' }>): void {
  try {
    const files = trainer.exportFiles(request.runId, request.which, request.format);
    post({ type: 'export-files', runId: request.runId, files, folder: request.format === 'weights' ? null : request.format }, files.map((f) => f.bytes.buffer as ArrayBuffer));
  } catch (error) {
    post({ type: 'export-error', runId: request.runId, message: message(error) });
  }
}

async function loadAdapter(files: readonly File[]): Promise<void> {
  try {
    adapter = await readAdapterFiles(files, model);
    post({ type: 'adapter-loaded', adapter: adapter.info });
  } catch (error) {
    post({ type: 'adapter-error', message: message(error) });
  }
}

async function evaluate(request: Extract<WorkerRequest, { type: 'evaluate' }>): Promise<void> {
  try {
    if (trainer.busy) throw new Error('A run is training: evaluate when it ends (or stop it).');
    post({ type: 'evaluated', result: await evaluateOnly(request, { gpu: self.navigator.gpu, model, shards, adapter }) });
  } catch (error) {
    post({ type: 'evaluate-error', message: message(error) });
  }
}

async function precision(request: Extract<WorkerRequest, { type: 'precision-table' }>): Promise<void> {
  try {
    if (trainer.busy) throw new Error('A run is training: compare precisions when it ends (or stop it).');
    const { rows, n } = await precisionRows(request, { gpu: self.navigator.gpu, model, shards, adapter, runWeights: (id) => trainer.runWeights(id) });
    post({ type: 'precision-table', source: request.source, rows, n });
  } catch (error) {
    post({ type: 'precision-table-error', message: toFailure(error).message });
  }
}

async function benchmark(request: Extract<WorkerRequest, { type: 'benchmark' }>): Promise<void> {
  try {
    if (trainer.busy) throw new Error('A run is training: benchmark when it ends (or stop it), so neither disturbs the other.');
    await tuner.stop();
    playground.dispose();
    post({ type: 'benchmark-done', report: await browserBenchmark(request, self.navigator.gpu, (line) => post({ type: 'benchmark-progress', line })) });
  } catch (error) {
    post({ type: 'benchmark-error', message: toFailure(error).message });
  }
}

async function search(request: Extract<WorkerRequest, { type: 'search' }>): Promise<void> {
  try {
    if (trainer.busy) throw new Error('A run is training: search when it ends (or stop it).');
    post({ type: 'search-results', answer: await playground.search(request, { gpu: self.navigator.gpu, model, shards, adapter, runWeights: (id) => trainer.runWeights(id) }) });
  } catch (error) {
    post({ type: 'search-error', message: toFailure(error).message });
  }
}

async function exampleRanks(request: Extract<WorkerRequest, { type: 'example-ranks' }>): Promise<void> {
  try {
    if (trainer.busy) throw new Error('A run is training: compare the examples when it ends (or stop it).');
    post({ type: 'example-ranks', answer: await playground.exampleRanks(request, { gpu: self.navigator.gpu, model, shards, adapter, runWeights: (id) => trainer.runWeights(id) }) });
  } catch (error) {
    post({ type: 'example-ranks-error', message: toFailure(error).message });
  }
}

async function attention(request: Extract<WorkerRequest, { type: 'attention' }>): Promise<void> {
  try {
    if (trainer.busy) throw new Error('A run is training: look at the attention when it ends (or stop it).');
    const answer = await attentionView(request, { gpu: self.navigator.gpu, model, shards, adapter, runWeights: (id) => trainer.runWeights(id) });
    post({ type: 'attention', answer }, answer.maps.flatMap((m) => m.heads.map((h) => h.buffer as ArrayBuffer)));
  } catch (error) {
    post({ type: 'attention-error', message: toFailure(error).message });
  }
}

async function analyzeLayers(request: Extract<WorkerRequest, { type: 'analyze-layers' }>): Promise<void> {
  try {
    if (trainer.busy) throw new Error('A run is training: analyze the layers when it ends (or stop it).');
    post({ type: 'layer-study', study: await studyModelLayers(request, { gpu: self.navigator.gpu, model, runWeights: (id) => trainer.runWeights(id) }) });
  } catch (error) {
    post({ type: 'layer-study-error', message: toFailure(error).message });
  }
}

async function freeStorage(what: Extract<WorkerRequest, { type: 'storage-free' }>['what']): Promise<void> {
  if (what === 'checkpoints') return forgetAllCheckpoints();
  if (what === 'workspace') return forgetWorkspaceFiles();
  return forgetCheckpoint(what.runId);
}

async function handle(request: WorkerRequest): Promise<void> {
  switch (request.type) {
    case 'probe': {
      const rt = await getRuntime();
      return post({ type: 'adapter', adapter: rt.adapter, features: rt.features });
    }
    case 'selfcheck':
      return post({ type: 'selfcheck', results: await runSelfCheck(await getRuntime()) });
    case 'load-model':
      playground.dispose();
      return loadModel(request);
    case 'hub-load':
      return loadHubModel(request);
    case 'hub-cancel':
      return cancelHubDownload();
    case 'hub-cache-list':
      return postHubCache();
    case 'hub-cache-delete':
      await deleteCachedModel(request.modelId);
      return postHubCache();
    case 'add-shard':
      return addShard(request);
    case 'remove-shard':
      shards.delete(request.id);
      return forgetShardFile(request.id);
    case 'shard-stats':
      return shardStats(request);
    case 'start':
      await tuner.stop(); // a run's kernels would disturb the timings, and the tuning its speed
      playground.dispose(); // the run gets the GPU's memory
      return trainer.start(request, { gpu: self.navigator.gpu, model, shards, adapter, post });
    case 'load-adapter':
      playground.dispose();
      return loadAdapter(request.files);
    case 'remove-adapter':
      playground.dispose();
      adapter = null;
      return;
    case 'search':
      return search(request);
    case 'example-ranks':
      return exampleRanks(request);
    case 'attention':
      return attention(request);
    case 'evaluate':
      return evaluate(request);
    case 'benchmark':
      return benchmark(request);
    case 'precision-table':
      playground.dispose(); // the table's devices get the GPU's memory
      return precision(request);
    case 'control':
      return trainer.control(request.runId, request.action);
    case 'export':
      return exportRun(request);
    case 'plan-memory':
      return post(await planMemory(request));
    case 'tune-matmul':
      return tuner.tune(request, { gpu: self.navigator.gpu, post, busy: () => trainer.busy });
    case 'tune-cancel':
      return tuner.stop();
    case 'analyze-layers':
      return analyzeLayers(request);
    case 'storage-report':
      return post({ type: 'storage', report: await storageReport() });
    case 'storage-free':
      await freeStorage(request.what);
      return post({ type: 'storage', report: await storageReport() });
  }
}

self.onmessage = (event: MessageEvent<WorkerRequest>) => {
  handle(event.data).catch((error: unknown) => {
    if (error instanceof GpuError && error.kind === 'unavailable') {
      runtime = null;
      post({ type: 'unavailable', message: describeGpuError(error) });
    } else {
      post({ type: 'error', message: message(error) });
    }
  });
};
