/**
 * The Worker's side of Hub downloads: one download at a time with the browser cache (so a second visit loads
 * offline and an interrupted download resumes), progress forwarded at most every 200 ms, a Cancel that aborts
 * the fetch, and the cached-models list. The files it returns go to the loader exactly as a dropped folder's.
 */
import { BrowserModelCache, HubError, hubModelFiles, loadModelFromHub, type HubLoadProgress, type ModelCache } from '../../engine/hub';
import type { HubCacheListing, WorkerRequest, WorkerResponse } from './protocol';

type Post = (message: WorkerResponse) => void;

/** The page renders every message it gets: 200 ms is smooth enough for a progress bar and cheap to render. */
const PROGRESS_INTERVAL_MS = 200;

const LOCAL_ROUTE = 'Download the folder yourself and drop it above, or use the demo model.';

let cache: Promise<ModelCache | undefined> | null = null;
let current: AbortController | null = null;

function openCache(): Promise<ModelCache | undefined> {
  cache ??= BrowserModelCache.open();
  return cache;
}

/** Forwards the first event, every change of file, the last one, and otherwise one per interval. */
function throttled(post: Post): (p: HubLoadProgress) => void {
  let last = -Infinity;
  let file: string | undefined;
  return (p) => {
    const now = performance.now();
    if (p.phase === 'downloading' && p.file === file && now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    file = p.file;
    post({ type: 'hub-progress', progress: p });
  };
}

function hubFailure(error: unknown): WorkerResponse {
  if (error instanceof HubError) return { type: 'hub-error', kind: error.kind, message: error.message };
  // Not the Hub's doing (e.g. the cache failed in an unexpected way): say so, and offer the local route.
  const text = error instanceof Error ? error.message : String(error);
  return { type: 'hub-error', kind: 'other', message: `The download failed: ${text}. ${LOCAL_ROUTE}` };
}

/** The model's files, or null when the download failed or was cancelled (already reported to the page). */
export async function downloadHubModel(request: Extract<WorkerRequest, { type: 'hub-load' }>, post: Post): Promise<File[] | null> {
  current?.abort(); // a new download replaces one in flight
  const controller = new AbortController();
  current = controller;
  try {
    const model = await loadModelFromHub(request.modelId, { endpoint: request.endpoint, cache: await openCache(), signal: controller.signal, onProgress: throttled(post) });
    const bytes = [...model.files.values()].reduce((n, b) => n + b.size, 0);
    post({ type: 'hub-downloaded', modelId: model.modelId, fromCache: model.fromCache, bytes, warnings: model.warnings });
    if (!model.fromCache) void BrowserModelCache.persist();
    return hubModelFiles(model);
  } catch (error) {
    // A download replaced by a newer one is not news; a cancelled one is (the page shows it as cancelled).
    if (current === controller || !(error instanceof HubError && error.kind === 'aborted')) post(hubFailure(error));
    return null;
  } finally {
    if (current === controller) current = null;
  }
}

export function cancelHubDownload(): void {
  current?.abort();
}

export async function hubCacheListing(): Promise<HubCacheListing> {
  const opened = await openCache();
  if (!opened) return { available: false, models: [], bytes: 0, quota: undefined };
  const [models, usage] = await Promise.all([opened.list(), opened.usage()]);
  const entries = models.map(({ endpoint, modelId, revision, bytes, complete }) => ({ endpoint, modelId, revision, bytes, complete }));
  return { available: true, models: entries, bytes: usage.bytes, quota: usage.quota };
}

export async function deleteCachedModel(modelId: string): Promise<void> {
  await (await openCache())?.delete(modelId);
}
