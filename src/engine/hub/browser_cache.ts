/**
 * The model cache in a browser: Cache Storage (`caches.open('lab-models-v1')`), available in pages and Workers
 * of secure contexts. Entries are Responses keyed by URL; a Blob read back from one is backed by the disk, so
 * listing or reusing a 500 MB file does not load it into memory. Why not OPFS: see docs/HUB.md.
 */
import { ModelCache, type BlobStore, type StorageEstimateLike } from './cache';

export const MODEL_CACHE_NAME = 'lab-models-v1';

/** Sizes ride in a header so list() and usage() never read a body. */
const SIZE_HEADER = 'x-lab-size';

export class CacheStorageStore implements BlobStore {
  constructor(private readonly cache: Cache) {}

  async get(key: string): Promise<Blob | undefined> {
    const response = await this.cache.match(key);
    return response ? response.blob() : undefined;
  }

  async size(key: string): Promise<number | undefined> {
    const response = await this.cache.match(key);
    if (!response) return undefined;
    const header = Number(response.headers.get(SIZE_HEADER));
    await response.body?.cancel();
    return Number.isFinite(header) && header >= 0 ? header : undefined;
  }

  async put(key: string, value: Blob): Promise<void> {
    const headers = { 'content-type': value.type || 'application/octet-stream', [SIZE_HEADER]: String(value.size) };
    await this.cache.put(key, new Response(value, { headers }));
  }

  async delete(key: string): Promise<void> {
    await this.cache.delete(key);
  }

  async keys(): Promise<string[]> {
    return (await this.cache.keys()).map((request) => request.url);
  }
}

export class BrowserModelCache extends ModelCache {
  private constructor(cache: Cache, estimate: (() => Promise<StorageEstimateLike>) | undefined) {
    super(new CacheStorageStore(cache), estimate);
  }

  /**
   * The cache, or undefined where there is no Cache Storage (an insecure context, Node, some private modes):
   * downloads still work then, without resume across visits and without offline reuse.
   */
  static async open(name = MODEL_CACHE_NAME): Promise<BrowserModelCache | undefined> {
    if (typeof caches === 'undefined') return undefined;
    let cache: Cache;
    try {
      cache = await caches.open(name);
    } catch {
      return undefined; // SecurityError in private windows of some browsers
    }
    const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
    const estimate = storage?.estimate ? () => storage.estimate() : undefined;
    return new BrowserModelCache(cache, estimate);
  }

  /**
   * Asks the browser not to evict the cache under storage pressure (it may ask the user, or decide from
   * engagement). Worth calling once a model is downloaded; false where it is refused or unsupported.
   */
  static async persist(): Promise<boolean> {
    if (typeof navigator === 'undefined' || !navigator.storage?.persist) return false;
    return navigator.storage.persist().catch(() => false);
  }
}
