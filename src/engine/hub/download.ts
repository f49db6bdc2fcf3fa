/**
 * One file from a URL, streamed, with progress, resumable: what arrived is kept in the cache in pieces, an
 * interrupted download continues with `Range: bytes=N-` (206), and the finished file is stored whole under
 * its URL so the next visit reads it without the network. A server that answers a range with 200 (or with
 * another file's range) gets a restart from byte 0.
 */
import type { ModelCache } from './cache';
import { abortedError, formatBytes, HubError, isAbortError, LOCAL_ROUTE, statusError } from './errors';
import { authHeaders, request, type FetchLike } from './http';
import type { DownloadProgress } from './progress';
import { Transfer } from './transfer';

export interface DownloadOptions {
  readonly cache?: ModelCache;
  readonly onProgress?: (progress: DownloadProgress) => void;
  readonly signal?: AbortSignal;
  readonly fetchImpl?: FetchLike;
  readonly accessToken?: string;
  /** For messages: the Hub's base URL (default: the file URL's origin) and the model id. */
  readonly endpoint?: string;
  readonly modelId?: string;
  /** The file's name for progress and messages (default: the URL's last segment). */
  readonly name?: string;
  /** The size from the Hub's listing: the body must have exactly this many bytes. */
  readonly expectedSize?: number;
  /** Bytes per cached piece of a download in progress (default 16 MiB). */
  readonly pieceBytes?: number;
  /** Automatic retries after the connection drops, as long as each try makes progress (default 4). */
  readonly retries?: number;
  /** Wait before the first retry, doubled for each next one (default 1000 ms). */
  readonly retryDelayMs?: number;
  /** Least time between two progress events (default 100 ms); the first and last are always sent. */
  readonly progressIntervalMs?: number;
}

export interface DownloadResult {
  readonly data: Blob;
  /** The whole file came from the cache: no request was made. */
  readonly fromCache: boolean;
  /** The file is now held whole in the cache. */
  readonly cached: boolean;
  /** Bytes taken from a partial download kept in the cache. */
  readonly resumedFrom: number;
  readonly warnings: readonly string[];
}

interface Context {
  readonly url: string;
  readonly what: string;
  readonly modelId: string;
  readonly options: DownloadOptions;
}

const CONTENT_RANGE = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i;

function contentRange(response: Response): { start: number; total: number | undefined } | undefined {
  const match = CONTENT_RANGE.exec(response.headers.get('content-range') ?? '');
  if (!match) return undefined;
  return { start: Number(match[1]), total: match[3] === '*' ? undefined : Number(match[3]) };
}

/** The size a 200 declares; a compressed body's content-length counts compressed bytes, so it says nothing. */
function declaredLength(response: Response): number | undefined {
  const encoding = response.headers.get('content-encoding');
  if (encoding && encoding.toLowerCase() !== 'identity') return undefined;
  const length = Number(response.headers.get('content-length') ?? response.headers.get('x-linked-size') ?? NaN);
  return Number.isFinite(length) && length >= 0 ? length : undefined;
}

const strongTag = (tag: string | null | undefined): string | undefined => tag?.replace(/^W\//, '') || undefined;

async function open(ctx: Context, from: number): Promise<Response> {
  const headers: Record<string, string> = authHeaders(ctx.options.accessToken);
  if (from > 0) headers.range = `bytes=${from}-`;
  const response = await request(ctx.url, { headers }, { ...ctx.options, endpoint: ctx.options.endpoint ?? new URL(ctx.url).origin }, ctx.what);
  if (response.status === 416 && from > 0) return response; // the caller restarts from 0
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw statusError(response, ctx.modelId, ctx.what);
  }
  return response;
}

function adopt(t: Transfer, response: Response): void {
  const range = response.status === 206 ? contentRange(response) : undefined;
  t.total = t.options.expectedSize ?? (range ? range.total : declaredLength(response)) ?? t.total;
  t.etag = strongTag(response.headers.get('etag')) ?? t.etag;
}

/** A response that continues the held bytes: either the 206 we asked for, or (after a restart) a fresh 200. */
async function continuation(ctx: Context, t: Transfer): Promise<Response> {
  const from = t.received;
  const response = await open(ctx, from);
  if (from === 0) {
    if (response.status === 206 && contentRange(response)?.start !== 0) throw new HubError('bad-response', `The server sent part of ${ctx.what} that was not asked for. ${LOCAL_ROUTE}`, { url: ctx.url });
    adopt(t, response);
    return response;
  }
  const range = response.status === 206 ? contentRange(response) : undefined;
  const tag = strongTag(response.headers.get('etag'));
  const sameTotal = range?.total === undefined || t.total === undefined || range.total === t.total;
  if (range && range.start === from && sameTotal && (!tag || !t.etag || tag === t.etag)) {
    adopt(t, response);
    return response;
  }
  await t.discard();
  if (response.status === 200) {
    adopt(t, response);
    return response;
  }
  await response.body?.cancel().catch(() => undefined);
  const fresh = await open(ctx, 0);
  adopt(t, fresh);
  return fresh;
}

/** Streams one response's body into the transfer; a failure keeps what arrived and says whether to resume. */
async function pump(ctx: Context, t: Transfer, response: Response): Promise<void> {
  if (!response.body) return;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      await t.append(value);
    }
  } catch (error) {
    await t.flush();
    t.report(true);
    if (isAbortError(error) || ctx.options.signal?.aborted) throw abortedError(ctx.what, ctx.url);
    const resumes = t.caching ? 'Try again: it resumes where it stopped.' : 'Try again.';
    throw new HubError('interrupted', `The download of ${ctx.what} stopped after ${t.describe()} (the connection dropped). ${resumes} Or: ${LOCAL_ROUTE}`, { url: ctx.url });
  }
}

function sleep(ms: number, signal: AbortSignal | undefined, ctx: Context): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortedError(ctx.what, ctx.url));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortedError(ctx.what, ctx.url));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Tries until the file is whole; retries only a dropped connection, and only while tries make progress. */
async function transferAll(ctx: Context, t: Transfer): Promise<void> {
  const retries = ctx.options.retries ?? 4;
  for (let attempt = 0; ; attempt++) {
    if (t.total !== undefined && t.received === t.total && t.received > 0) return; // all held already
    const before = t.received;
    try {
      await pump(ctx, t, await continuation(ctx, t));
      return;
    } catch (error) {
      const progressed = t.received > before;
      if (!(error instanceof HubError) || error.kind !== 'interrupted' || attempt >= retries || !progressed) throw error;
      await sleep((ctx.options.retryDelayMs ?? 1000) * 2 ** attempt, ctx.options.signal, ctx);
    }
  }
}

/** The size check, then the whole file into the cache (its pieces are then dropped). */
async function finish(ctx: Context, t: Transfer): Promise<DownloadResult> {
  await t.flush();
  if (t.total !== undefined && t.received !== t.total) {
    const [got, want] = [t.received, t.total];
    await t.discard();
    throw new HubError(
      'truncated',
      `The download of ${ctx.what} came out the wrong size: ${formatBytes(got)} (${got} bytes) instead of ${formatBytes(want)} (${want} bytes). The partial file was discarded; try again, or: ${LOCAL_ROUTE}`,
      { url: ctx.url },
    );
  }
  t.total = t.received;
  t.report(true);
  const data = new Blob(t.pieces);
  const cache = ctx.options.cache;
  const result = { fromCache: false, resumedFrom: t.resumedFrom, warnings: t.warnings };
  if (!cache || !t.caching) return { ...result, data, cached: false };
  try {
    await cache.putFile(ctx.url, data);
  } catch (error) {
    // The pieces stay: they are what `data` may read from, and the next visit completes from them offline.
    t.stopCaching(error);
    return { ...result, data, cached: false };
  }
  await cache.clearPartial(ctx.url).catch(() => undefined);
  const stored = await cache.getFile(ctx.url).catch(() => undefined);
  return { ...result, data: stored ?? data, cached: true };
}

export async function downloadFile(url: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const name = options.name ?? decodeURIComponent(new URL(url).pathname.split('/').pop() ?? url);
  const modelId = options.modelId ?? '';
  const ctx: Context = { url, what: modelId ? `${name} of ${modelId}` : name, modelId, options };
  const t = new Transfer({
    url,
    name,
    cache: options.cache,
    expectedSize: options.expectedSize,
    pieceBytes: options.pieceBytes ?? 16 * 2 ** 20,
    progressIntervalMs: options.progressIntervalMs ?? 100,
    onProgress: options.onProgress,
  });
  const whole = await options.cache?.getFile(url).catch(() => undefined);
  if (whole && (options.expectedSize === undefined || whole.size === options.expectedSize)) {
    t.received = whole.size;
    t.total = whole.size;
    t.report(true, true);
    return { data: whole, fromCache: true, cached: true, resumedFrom: 0, warnings: [] };
  }
  const partial = await options.cache?.readPartial(url).catch(() => undefined);
  if (partial) t.restore(partial);
  t.report(true);
  await transferAll(ctx, t);
  return finish(ctx, t);
}
