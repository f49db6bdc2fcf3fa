/**
 * FP32 (non-tensor-core) peak throughput of known GPUs, for "fraction of peak" figures. Values from
 * ../shared/REFERENCE.md ("Hardware peaks"); the H200 row is inferred (same SMs and clocks as the H100 SXM).
 * Matched against the adapter's description, device and architecture strings; no match gives null ("unknown").
 */
import type { AdapterSummary } from '../engine/gpu/device';

export interface PeakEntry {
  readonly name: string;
  readonly tflops: number;
  /** Lower-case patterns; the first entry whose pattern occurs in the adapter text wins. */
  readonly match: RegExp;
}

// More specific names first (M2 Pro before M2, H100 PCIe before H100).
export const FP32_PEAKS: readonly PeakEntry[] = [
  { name: 'NVIDIA H100 PCIe', tflops: 51, match: /h100[^,;]*pcie/ },
  { name: 'NVIDIA H100 SXM', tflops: 67, match: /h100/ },
  { name: 'NVIDIA H200 (inferred: as H100 SXM)', tflops: 67, match: /h200/ },
  { name: 'NVIDIA GeForce RTX 4090', tflops: 82.6, match: /rtx 4090/ },
  { name: 'NVIDIA GeForce RTX 3060', tflops: 12.7, match: /rtx 3060/ },
  { name: 'Apple M2 Pro', tflops: 6.8, match: /m2 pro/ },
  { name: 'Apple M2', tflops: 3.6, match: /(apple[- ])?m2\b/ },
  { name: 'Apple M1', tflops: 2.6, match: /(apple[- ])?m1\b/ },
  { name: 'Intel Iris Xe', tflops: 2.1, match: /iris.*xe/ },
];

export interface PeakMatch {
  readonly name: string;
  readonly tflops: number;
}

export function fp32Peak(adapter: Pick<AdapterSummary, 'vendor' | 'architecture' | 'device' | 'description'>): PeakMatch | null {
  const text = [adapter.description, adapter.device, adapter.architecture, adapter.vendor].join(' ').toLowerCase();
  if (/swiftshader|llvmpipe|lavapipe/.test(text)) return null; // CPU rasterizers: no meaningful GPU peak
  const entry = FP32_PEAKS.find((e) => e.match.test(text));
  return entry ? { name: entry.name, tflops: entry.tflops } : null;
}

/** Achieved / peak, or null when the peak is unknown. */
export function fractionOfPeak(flopsPerSecond: number, peak: PeakMatch | null): number | null {
  return peak ? flopsPerSecond / (peak.tflops * 1e12) : null;
}
