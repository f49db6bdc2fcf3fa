/**
 * WebGPU in Node through Dawn (the `webgpu` package). Only the CLI, the benchmark and the tests import this
 * file, so browser bundles never see the native addon.
 */
import { create, globals } from 'webgpu';
import { acquireDevice, type AcquireOptions } from './device';
import { Runtime } from './runtime';

let nodeGpu: GPU | null = null;

/** Dawn's GPU object must outlive every device made from it: keep one per process. */
export function nodeGpuInstance(): GPU {
  if (!nodeGpu) {
    Object.assign(globalThis, globals);
    nodeGpu = create([]);
  }
  return nodeGpu;
}

export async function createNodeRuntime(options: AcquireOptions = {}): Promise<Runtime> {
  return new Runtime(await acquireDevice(nodeGpuInstance(), options));
}
