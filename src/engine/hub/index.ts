/**
 * Models from the Hugging Face Hub, in a page, a Worker or Node: no DOM beyond fetch, Response and (in a
 * browser) Cache Storage. `fake_hub.ts` (a local imitation of the Hub for tests) is Node-only and not exported.
 */
export { BrowserModelCache, CacheStorageStore, MODEL_CACHE_NAME } from './browser_cache';
export { ModelCache, type BlobStore, type CachedFile, type CachedModel, type CacheUsage, type PartialDownload } from './cache';
export { downloadFile, type DownloadOptions, type DownloadResult } from './download';
export { formatBytes, HubError, type HubErrorKind } from './errors';
export { DEFAULT_ENDPOINT, DEFAULT_REVISION, fileUrl, parseModelId, type FetchLike } from './http';
export { hubModelFiles, loadModelFromHub, type HubLoadProgress, type HubModel, type LoadFromHubOptions } from './load';
export { MemoryBlobStore, MemoryModelCache } from './memory_cache';
export { SpeedMeter, type DownloadProgress } from './progress';
export { resolveModelFiles, type HubFile, type HubModelPlan, type ResolveOptions } from './resolve';
