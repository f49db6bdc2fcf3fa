/**
 * Where downloaded model files live between visits. A `BlobStore` is the storage (Cache Storage in a browser,
 * a Map in tests); `ModelCache` adds the lab's layout on top of it, keyed by the files' URLs:
 *
 *   {url}                         the finished file, whole
 *   {url}?lab-partial=info        a download in progress: JSON { total, etag, pieces: [byte counts] }
 *   {url}?lab-partial=N           its N-th piece (the bytes received so far, in 8–16 MiB pieces)
 *   {endpoint}/api/models/{id}?lab-manifest={revision}   the resolved plan, so a second visit needs no network
 */
import type { HubModelPlan } from './resolve';

export interface BlobStore {
  get(key: string): Promise<Blob | undefined>;
  /** The stored size without reading the data. */
  size(key: string): Promise<number | undefined>;
  /** Rejects with an error named QuotaExceededError when storage is full. */
  put(key: string, value: Blob): Promise<void>;
  delete(key: string): Promise<void>;
  keys(): Promise<string[]>;
}

/** What a download interrupted earlier left: the first `received` bytes of the file, in pieces. */
export interface PartialDownload {
  readonly pieces: readonly Blob[];
  readonly sizes: readonly number[];
  readonly received: number;
  readonly total: number | undefined;
  readonly etag: string | undefined;
}

export interface PartialMeta {
  readonly total: number | undefined;
  readonly etag: string | undefined;
}

export interface StorageEstimateLike {
  readonly usage?: number;
  readonly quota?: number;
}

export interface CachedFile {
  readonly name: string;
  readonly url: string;
  readonly size: number | undefined;
  /** Bytes held: the size when complete, the received bytes when partial. */
  readonly stored: number;
  readonly state: 'complete' | 'partial' | 'missing';
}

export interface CachedModel {
  readonly endpoint: string;
  readonly modelId: string;
  readonly revision: string;
  readonly commit: string | undefined;
  readonly files: readonly CachedFile[];
  readonly bytes: number;
  /** Every file is held whole: the model loads without the network. */
  readonly complete: boolean;
  readonly savedAt: string;
}

export interface CacheUsage {
  /** Bytes the lab's cache holds (files, pieces and manifests). */
  readonly bytes: number;
  readonly models: number;
  /** From navigator.storage.estimate(), where there is one: the whole origin, not only this cache. */
  readonly originUsage: number | undefined;
  readonly quota: number | undefined;
}

const PARTIAL = 'lab-partial';
const MANIFEST = 'lab-manifest';

/** Cache Storage compares normalized URLs: normalize here so keys() and our own keys agree. */
export function normalizeKey(url: string): string {
  return new URL(url).href;
}

function withParam(url: string, name: string, value: string): string {
  const u = new URL(url);
  u.searchParams.set(name, value);
  return u.href;
}

export const partialKey = (url: string, part: 'info' | number): string => withParam(url, PARTIAL, String(part));
export const manifestKey = (endpoint: string, modelId: string, revision: string): string => withParam(`${endpoint}/api/models/${modelId}`, MANIFEST, revision);

type JsonObject = Record<string, unknown>;
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

async function readJson(store: BlobStore, key: string): Promise<unknown> {
  const blob = await store.get(key);
  if (!blob) return undefined;
  try {
    return JSON.parse(await blob.text()) as unknown;
  } catch {
    return undefined; // a damaged entry reads as absent and gets rewritten
  }
}

function jsonBlob(value: unknown): Blob {
  return new Blob([JSON.stringify(value)], { type: 'application/json' });
}

/** A manifest is trusted only in the shape the lab writes: name and URL strings for every file. */
function asPlan(value: unknown): HubModelPlan | undefined {
  if (!isObject(value) || !isObject(value.plan)) return undefined;
  const plan = value.plan;
  const files = plan.files;
  if (typeof plan.modelId !== 'string' || typeof plan.endpoint !== 'string' || typeof plan.revision !== 'string' || !Array.isArray(files)) return undefined;
  const ok = files.every((f) => isObject(f) && typeof f.name === 'string' && typeof f.url === 'string');
  return ok && isObject(plan.weights) ? (plan as unknown as HubModelPlan) : undefined;
}

export class ModelCache {
  constructor(
    protected readonly store: BlobStore,
    private readonly estimate?: () => Promise<StorageEstimateLike>,
  ) {}

  async getFile(url: string): Promise<Blob | undefined> {
    return this.store.get(normalizeKey(url));
  }

  async putFile(url: string, data: Blob): Promise<void> {
    await this.store.put(normalizeKey(url), data);
  }

  /** The pieces kept from an interrupted download, or undefined (a damaged or incomplete set is cleared). */
  async readPartial(url: string): Promise<PartialDownload | undefined> {
    const info = await readJson(this.store, partialKey(url, 'info'));
    if (!isObject(info) || !Array.isArray(info.pieces)) return undefined;
    const sizes = info.pieces.filter((n): n is number => typeof n === 'number');
    const pieces: Blob[] = [];
    for (const [i, size] of sizes.entries()) {
      const piece = await this.store.get(partialKey(url, i));
      if (!piece || piece.size !== size) {
        await this.clearPartial(url);
        return undefined;
      }
      pieces.push(piece);
    }
    const total = typeof info.total === 'number' ? info.total : undefined;
    const etag = typeof info.etag === 'string' ? info.etag : undefined;
    return { pieces, sizes, received: sizes.reduce((a, b) => a + b, 0), total, etag };
  }

  /** Stores piece `index`, then the info listing every piece so far (a crash in between leaves a harmless orphan). */
  async writePartialPiece(url: string, index: number, piece: Blob, sizes: readonly number[], meta: PartialMeta): Promise<void> {
    await this.store.put(partialKey(url, index), piece);
    await this.store.put(partialKey(url, 'info'), jsonBlob({ total: meta.total, etag: meta.etag, pieces: sizes }));
  }

  async clearPartial(url: string): Promise<void> {
    const base = normalizeKey(url);
    for (const key of await this.store.keys()) {
      const u = new URL(key);
      if (!u.searchParams.has(PARTIAL)) continue;
      u.searchParams.delete(PARTIAL);
      if (u.href === base) await this.store.delete(key);
    }
  }

  async getManifest(endpoint: string, modelId: string, revision: string): Promise<HubModelPlan | undefined> {
    return asPlan(await readJson(this.store, manifestKey(endpoint, modelId, revision)));
  }

  async putManifest(plan: HubModelPlan): Promise<void> {
    await this.store.put(manifestKey(plan.endpoint, plan.modelId, plan.revision), jsonBlob({ savedAt: new Date().toISOString(), plan }));
  }

  /** Every model with a manifest, with what is held of each file: for a "cached models" panel. */
  async list(): Promise<CachedModel[]> {
    const models: CachedModel[] = [];
    for (const key of await this.store.keys()) {
      if (!new URL(key).searchParams.has(MANIFEST)) continue;
      const raw = await readJson(this.store, key);
      const plan = asPlan(raw);
      if (!plan) continue;
      const files = await Promise.all(plan.files.map((f) => this.fileState(f.name, f.url, f.size)));
      const savedAt = isObject(raw) && typeof raw.savedAt === 'string' ? raw.savedAt : '';
      const bytes = files.reduce((a, f) => a + f.stored, 0);
      const { endpoint, modelId, revision, commit } = plan;
      models.push({ endpoint, modelId, revision, commit, files, bytes, complete: files.every((f) => f.state === 'complete'), savedAt });
    }
    return models.sort((a, b) => a.modelId.localeCompare(b.modelId) || a.revision.localeCompare(b.revision));
  }

  private async fileState(name: string, url: string, size: number | undefined): Promise<CachedFile> {
    const whole = await this.store.size(normalizeKey(url));
    if (whole !== undefined) return { name, url, size: size ?? whole, stored: whole, state: 'complete' };
    const info = await readJson(this.store, partialKey(url, 'info'));
    const pieces = isObject(info) && Array.isArray(info.pieces) ? info.pieces.filter((n): n is number => typeof n === 'number') : [];
    const stored = pieces.reduce((a, b) => a + b, 0);
    return { name, url, size, stored, state: stored > 0 ? 'partial' : 'missing' };
  }

  /** Removes every file, piece and manifest of `modelId` (all revisions); returns the bytes freed. */
  async delete(modelId: string): Promise<number> {
    let freed = 0;
    for (const key of await this.store.keys()) {
      const u = new URL(key);
      const isManifest = u.searchParams.has(MANIFEST) && u.pathname.endsWith(`/api/models/${modelId}`);
      const resolve = u.pathname.indexOf('/resolve/');
      const isFile = resolve >= 0 && u.pathname.slice(0, resolve).endsWith(`/${modelId}`);
      if (!isManifest && !isFile) continue;
      freed += (await this.store.size(key)) ?? 0;
      await this.store.delete(key);
    }
    return freed;
  }

  async usage(): Promise<CacheUsage> {
    const keys = await this.store.keys();
    let bytes = 0;
    for (const key of keys) bytes += (await this.store.size(key)) ?? 0;
    const models = keys.filter((k) => new URL(k).searchParams.has(MANIFEST)).length;
    const estimate = this.estimate ? await this.estimate().catch((): StorageEstimateLike => ({})) : {};
    return { bytes, models, originUsage: estimate.usage, quota: estimate.quota };
  }
}
