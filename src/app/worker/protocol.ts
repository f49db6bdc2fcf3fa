/** Messages between the page and the engine Worker. Plain data only: they cross postMessage. */
import type { AdapterSummary, GpuFeatures } from '../../engine/gpu/device';
import type { SelfCheckResult } from '../../engine/selfcheck/selfcheck';

export type WorkerRequest = { readonly type: 'probe' } | { readonly type: 'selfcheck' };

export type WorkerResponse =
  | { readonly type: 'adapter'; readonly adapter: AdapterSummary; readonly features: GpuFeatures }
  | { readonly type: 'unavailable'; readonly message: string }
  | { readonly type: 'selfcheck'; readonly results: readonly SelfCheckResult[] }
  | { readonly type: 'error'; readonly message: string };
