/**
 * The model cache in memory: for tests and for Node, which has no Cache Storage. `quotaBytes` imitates a full
 * browser storage (put rejects with QuotaExceededError), so the "not cached" route can be tested.
 */
import { ModelCache, type BlobStore } from './cache';

export class MemoryBlobStore implements BlobStore {
  private readonly entries = new Map<string, Blob>();
  constructor(private readonly quotaBytes = Number.POSITIVE_INFINITY) {}

  async get(key: string): Promise<Blob | undefined> {
    return this.entries.get(key);
  }

  async size(key: string): Promise<number | undefined> {
    return this.entries.get(key)?.size;
  }

  async put(key: string, value: Blob): Promise<void> {
    let used = value.size - (this.entries.get(key)?.size ?? 0);
    for (const blob of this.entries.values()) used += blob.size;
    if (used > this.quotaBytes) throw new DOMException(`storing ${key} would exceed the quota of ${this.quotaBytes} bytes`, 'QuotaExceededError');
    this.entries.set(key, value);
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async keys(): Promise<string[]> {
    return [...this.entries.keys()];
  }
}

export class MemoryModelCache extends ModelCache {
  constructor(options: { quotaBytes?: number } = {}) {
    super(new MemoryBlobStore(options.quotaBytes));
  }
}
