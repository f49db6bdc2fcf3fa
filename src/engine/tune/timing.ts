/**
 * Timing a kernel's dispatches. With `timestamp-query` each repetition is one compute pass with begin/end
 * timestamps (GPU time, no submit or readback overhead); otherwise each repetition is wall-clock around
 * rt.run with a one-float readback (includes submit and readback latency: an upper bound). A repetition
 * launches the dispatches `inner` times back to back, chosen so it lasts about 2 ms — short kernels are
 * averaged and timestamp quantization (Chrome/Dawn round to ~0.1 ms) stays a few percent at most.
 */
import type { Dispatch, Runtime } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';

export type TimingMethod = 'timestamp-query' | 'wall-clock';

export interface Timing {
  /** Median over repetitions, per launch of the dispatch list. */
  readonly ms: number;
  readonly minMs: number;
  readonly meanMs: number;
  readonly reps: number;
  readonly inner: number;
  readonly method: TimingMethod;
}

export interface TimingOptions {
  readonly warmup: number;
  readonly reps: number;
  /** Target duration of one repetition (ms), which sets `inner`. */
  readonly targetMs?: number;
  readonly maxInner?: number;
}

export function timingMethod(rt: Runtime): TimingMethod {
  return rt.features.timestampQuery ? 'timestamp-query' : 'wall-clock';
}

export async function timeDispatches(rt: Runtime, list: readonly Dispatch[], options: TimingOptions): Promise<Timing> {
  const probe = rt.tensor([1], 'timing.probe');
  try {
    // Warm-up (pipelines compiled, caches hot) doubles as calibration of `inner`.
    let wall = Infinity;
    for (let i = 0; i < Math.max(1, options.warmup); i++) wall = Math.min(wall, await wallClock(rt, list, 1, probe));
    const inner = Math.max(1, Math.min(options.maxInner ?? 50, Math.round((options.targetMs ?? 2) / Math.max(wall, 1e-3))));
    if (timingMethod(rt) === 'timestamp-query') {
      const samples = await gpuTimes(rt, list, inner, options.reps);
      // Some drivers return zeros or unordered stamps: then the wall clock is the honest number.
      if (samples.every((t) => t > 0)) return summarize(samples, inner, 'timestamp-query');
    }
    return summarize(await wallTimes(rt, list, inner, options.reps, probe), inner, 'wall-clock');
  } finally {
    rt.release(probe);
  }
}

export function summarize(samples: readonly number[], inner: number, method: TimingMethod): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const mean = sorted.reduce((s, x) => s + x, 0) / sorted.length;
  return { ms: median, minMs: sorted[0]!, meanMs: mean, reps: sorted.length, inner, method };
}

function repeat(list: readonly Dispatch[], inner: number): Dispatch[] {
  return Array.from({ length: inner }, () => list).flat();
}

/** Per-launch wall-clock milliseconds of one submission of `inner` launches, waited on by a readback. */
async function wallClock(rt: Runtime, list: readonly Dispatch[], inner: number, probe: Tensor): Promise<number> {
  const t0 = performance.now();
  await rt.run(repeat(list, inner), [probe]);
  return (performance.now() - t0) / inner;
}

async function wallTimes(rt: Runtime, list: readonly Dispatch[], inner: number, reps: number, probe: Tensor): Promise<number[]> {
  const out: number[] = [];
  for (let r = 0; r < reps; r++) out.push(await wallClock(rt, list, inner, probe));
  return out;
}

/** Per-launch GPU milliseconds of each repetition, from pass timestamps, all repetitions in one submission. */
async function gpuTimes(rt: Runtime, list: readonly Dispatch[], inner: number, reps: number): Promise<number[]> {
  const device = rt.device;
  const querySet = device.createQuerySet({ type: 'timestamp', count: 2 * reps, label: 'timing.timestamps' });
  const resolved = device.createBuffer({ size: 16 * reps, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC, label: 'timing.resolved' });
  const staging = device.createBuffer({ size: 16 * reps, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'timing.staging' });
  try {
    await rt.capture('timing a kernel', () => {
      const encoder = device.createCommandEncoder({ label: 'timing' });
      for (let r = 0; r < reps; r++) {
        const pass = encoder.beginComputePass({ timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * r, endOfPassWriteIndex: 2 * r + 1 } });
        for (let i = 0; i < inner; i++) {
          for (const d of list) {
            pass.setPipeline(d.pipeline);
            pass.setBindGroup(0, d.bindGroup);
            pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
          }
        }
        pass.end();
      }
      encoder.resolveQuerySet(querySet, 0, 2 * reps, resolved, 0);
      encoder.copyBufferToBuffer(resolved, 0, staging, 0, 16 * reps);
      device.queue.submit([encoder.finish()]);
    });
    await staging.mapAsync(GPUMapMode.READ);
    const stamps = new BigUint64Array(staging.getMappedRange().slice(0));
    staging.unmap();
    return Array.from({ length: reps }, (_, r) => Number(stamps[2 * r + 1]! - stamps[2 * r]!) / 1e6 / inner);
  } finally {
    querySet.destroy();
    resolved.destroy();
    staging.destroy();
  }
}
