/**
 * WebGPU in Node through Dawn (the `webgpu` package). Only the CLI, the benchmark and the tests import this
 * file, so browser bundles never see the native addon.
 */
import { create, globals } from 'webgpu';
import { acquireDevice, type AcquireOptions } from './device';
import { Runtime } from './runtime';

let nodeGpu: GPU | null = null;

/**
 * Dawn's GPU object must outlive every device made from it: keep one per process. `dawnToggles` are Dawn
 * instance flags, e.g. the tests' `disable_workgroup_init`: zero-filling workgroup memory makes SwiftShader's
 * pipeline compiles grow with the tile size, and no kernel here relies on WGSL's zero-init (a kernel that did
 * would fail the tests, never pass them wrongly, as real GPUs keep the zero-fill).
 */
export function nodeGpuInstance(dawnToggles: readonly string[] = []): GPU {
  if (!nodeGpu) {
    Object.assign(globalThis, globals);
    nodeGpu = create(dawnToggles.length > 0 ? [`enable-dawn-features=${dawnToggles.join(',')}`] : []);
  }
  return nodeGpu;
}

export async function createNodeRuntime(options: AcquireOptions = {}, dawnToggles: readonly string[] = []): Promise<Runtime> {
  return new Runtime(await acquireDevice(nodeGpuInstance(dawnToggles), options));
}
