/**
 * Adapter and device acquisition, the same in a page, a Worker and Node: the caller hands in a `GPU`
 * (`navigator.gpu` in a browser, Dawn's `create([])` in Node), so nothing here touches the DOM.
 */
import { GpuError } from './errors';

/** Limits worth raising above WebGPU's defaults: big weights, big activations, many bindings. */
const WANTED_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
] as const;

const WANTED_FEATURES = ['shader-f16', 'subgroups', 'timestamp-query'] as const;

export interface AdapterSummary {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  readonly isFallbackAdapter: boolean;
  readonly features: readonly string[];
  readonly limits: Readonly<Record<string, number>>;
}

export interface GpuFeatures {
  readonly f16: boolean;
  readonly subgroups: boolean;
  readonly timestampQuery: boolean;
}

export interface AcquiredDevice {
  readonly device: GPUDevice;
  readonly adapter: AdapterSummary;
  readonly features: GpuFeatures;
}

export interface AcquireOptions {
  readonly powerPreference?: GPUPowerPreference;
  /** Features to leave off even when present (e.g. to test the fallback paths). */
  readonly disableFeatures?: readonly string[];
}

export async function acquireDevice(gpu: GPU | undefined, options: AcquireOptions = {}): Promise<AcquiredDevice> {
  if (!gpu) throw new GpuError('unavailable', 'This environment has no WebGPU (navigator.gpu is missing).');
  const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  if (!adapter) throw new GpuError('unavailable', 'WebGPU is present but no GPU adapter was found.');

  const disabled = new Set(options.disableFeatures ?? []);
  const requiredFeatures = WANTED_FEATURES.filter((f) => adapter.features.has(f) && !disabled.has(f));
  const requiredLimits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) {
    const value = adapter.limits[name];
    if (typeof value === 'number') requiredLimits[name] = value;
  }
  const device = await adapter.requestDevice({ requiredFeatures, requiredLimits, label: 'lab-device' });
  const summary = summarizeAdapter(adapter, device);
  const has = (f: string): boolean => device.features.has(f);
  return {
    device,
    adapter: summary,
    features: { f16: has('shader-f16'), subgroups: has('subgroups'), timestampQuery: has('timestamp-query') },
  };
}

export function summarizeAdapter(adapter: GPUAdapter, device: GPUDevice): AdapterSummary {
  const info = adapter.info;
  const limits: Record<string, number> = {};
  // Limits are getters on the prototype: walk the prototype's keys, not Object.keys.
  for (const key of limitNames(device.limits)) {
    const value = (device.limits as unknown as Record<string, unknown>)[key];
    if (typeof value === 'number') limits[key] = value;
  }
  return {
    vendor: info.vendor || 'unknown',
    architecture: info.architecture || 'unknown',
    device: info.device || '',
    description: info.description || '',
    isFallbackAdapter: Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter),
    features: [...device.features].sort(),
    limits,
  };
}

function limitNames(limits: GPUSupportedLimits): string[] {
  const names = new Set<string>();
  let proto: object | null = limits;
  while (proto && proto !== Object.prototype) {
    for (const key of Object.getOwnPropertyNames(proto)) if (key.startsWith('max') || key.startsWith('min')) names.add(key);
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return [...names].sort();
}
