/**
 * A model from the Hub, end to end: resolve the files (or reuse the plan cached by an earlier visit, which
 * pins the same commit and lets a cached model load with no request at all), then download them one after
 * the other with combined progress. Parsing is not done here: the files go to the model loader as they are.
 */
import type { ModelCache } from './cache';
import { isQuotaError, messageOf } from './errors';
import { DEFAULT_ENDPOINT, DEFAULT_REVISION, parseModelId, trimEndpoint, type FetchLike } from './http';
import { downloadFile, type DownloadOptions } from './download';
import type { DownloadProgress } from './progress';
import { resolveModelFiles, type HubModelPlan, type ResolveOptions } from './resolve';

export interface HubLoadProgress {
  readonly phase: 'resolving' | 'downloading' | 'done';
  readonly modelId: string;
  /** The file being fetched (undefined while resolving). */
  readonly file: string | undefined;
  /** 0-based index of that file among `fileCount`. */
  readonly fileIndex: number;
  readonly fileCount: number;
  /** Bytes held over all files. */
  readonly received: number;
  /** Over all files, once every file's size is known. */
  readonly total: number | undefined;
  readonly bytesPerSecond: number;
  readonly secondsLeft: number | undefined;
  /** The current file came from the cache. */
  readonly fromCache: boolean;
}

export interface LoadFromHubOptions
  extends ResolveOptions,
    Pick<DownloadOptions, 'pieceBytes' | 'retries' | 'retryDelayMs' | 'progressIntervalMs'> {
  /** Where files, partial downloads and the resolved plan are kept; without one every load downloads. */
  readonly cache?: ModelCache;
  readonly fetchImpl?: FetchLike;
  readonly onProgress?: (progress: HubLoadProgress) => void;
  /** Ask the Hub again even if a plan is cached (e.g. to pick up a new commit of `main`). */
  readonly refresh?: boolean;
}

export interface HubModel {
  readonly modelId: string;
  readonly plan: HubModelPlan;
  /** File name → contents (config.json, vocab.json, merges.txt or tokenizer.json, and the weights). */
  readonly files: Map<string, Blob>;
  /** Nothing was requested from the network. */
  readonly fromCache: boolean;
  /** The plan's notes (e.g. weights from a pull request) and cache warnings (e.g. quota exceeded). */
  readonly warnings: readonly string[];
}

interface Totals {
  readonly sizes: (number | undefined)[];
  done: number;
}

function combined(totals: Totals, modelId: string, index: number, p: DownloadProgress): HubLoadProgress {
  totals.sizes[index] = p.total ?? totals.sizes[index];
  const known = totals.sizes.every((s) => s !== undefined);
  const total = known ? totals.sizes.reduce<number>((a, s) => a + (s ?? 0), 0) : undefined;
  const received = totals.done + p.received;
  // The speed is the current file's: files are fetched one at a time, and cached ones take no time.
  const secondsLeft = total !== undefined && p.bytesPerSecond > 0 ? Math.max(0, total - received) / p.bytesPerSecond : undefined;
  const fileCount = totals.sizes.length;
  return { phase: 'downloading', modelId, file: p.file, fileIndex: index, fileCount, received, total, bytesPerSecond: p.bytesPerSecond, secondsLeft, fromCache: p.fromCache };
}

/** The cached plan (no request), else a fresh one from the Hub, cached for the next visit. */
async function planFor(id: string, endpoint: string, revision: string, options: LoadFromHubOptions, warnings: string[]): Promise<{ plan: HubModelPlan; cached: boolean }> {
  const cache = options.cache;
  const cached = cache && !options.refresh ? await cache.getManifest(endpoint, id, revision).catch(() => undefined) : undefined;
  if (cached) return { plan: cached, cached: true };
  options.onProgress?.({ phase: 'resolving', modelId: id, file: undefined, fileIndex: 0, fileCount: 0, received: 0, total: undefined, bytesPerSecond: 0, secondsLeft: undefined, fromCache: false });
  const plan = await resolveModelFiles(id, options.fetchImpl, { ...options, endpoint, revision });
  try {
    await cache?.putManifest(plan);
  } catch (error) {
    const why = isQuotaError(error) ? 'the storage is full' : messageOf(error);
    warnings.push(`The list of ${id}'s files could not be cached (${why}): loading it again will need the network.`);
  }
  return { plan, cached: false };
}

/** Downloads (or reads from the cache) every file a model needs; see docs/HUB.md. */
export async function loadModelFromHub(modelId: string, options: LoadFromHubOptions = {}): Promise<HubModel> {
  const id = parseModelId(modelId);
  const endpoint = trimEndpoint(options.endpoint ?? DEFAULT_ENDPOINT);
  const revision = options.revision ?? DEFAULT_REVISION;
  const warnings: string[] = [];
  const { plan, cached } = await planFor(id, endpoint, revision, options, warnings);
  warnings.unshift(...plan.notes);
  const totals: Totals = { sizes: plan.files.map((f) => f.size), done: 0 };
  const files = new Map<string, Blob>();
  let fromCache = cached;
  for (const [index, file] of plan.files.entries()) {
    const result = await downloadFile(file.url, {
      ...options,
      endpoint,
      modelId: id,
      name: file.name,
      expectedSize: file.size,
      onProgress: options.onProgress && ((p) => options.onProgress!(combined(totals, id, index, p))),
    });
    files.set(file.name, result.data);
    totals.sizes[index] = result.data.size;
    totals.done += result.data.size;
    fromCache &&= result.fromCache;
    warnings.push(...result.warnings);
  }
  const received = totals.done;
  const fileCount = plan.files.length;
  options.onProgress?.({ phase: 'done', modelId: id, file: undefined, fileIndex: fileCount, fileCount, received, total: received, bytesPerSecond: 0, secondsLeft: 0, fromCache });
  return { modelId: id, plan, files, fromCache, warnings };
}

/** The files as `File`s, the form the model loader takes from a dropped folder. */
export function hubModelFiles(model: HubModel): File[] {
  return [...model.files].map(([name, blob]) => new File([blob], name));
}
