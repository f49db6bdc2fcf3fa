/**
 * The benchmark in Node: the suite (suite.ts) on Dawn's WebGPU, with --software-gpu pointing the Vulkan loader at
 * SwiftShader and the matmul tuning table applied to every runtime.
 */
import { createNodeRuntime } from '../engine/gpu/node';
import { setMatmulTuning, type MatmulTuning } from '../engine/kernels/matmul_tiles';
import { useSoftwareGpu, webgpuPackageVersion } from './env';
import type { MakeRuntime } from './steps';
import { runSuite, type BenchResult, type Log, type SuiteOptions } from './suite';

export type { BenchFailure, BenchResult, Log } from './suite';

export interface BenchOptions extends SuiteOptions {
  readonly softwareGpu: boolean;
}

export async function runBench(options: BenchOptions, log: Log = () => undefined): Promise<BenchResult> {
  const host = {
    makeRuntime: benchRuntimeFactory(options.softwareGpu, options.tuning ?? null),
    node: process.version,
    browser: null,
    platform: `${process.platform}-${process.arch}`,
    webgpuPackage: webgpuPackageVersion(),
    vkIcd: process.env.VK_ICD_FILENAMES ?? null,
  };
  return runSuite(options, host, log);
}

/** Runtimes as the benchmark makes them, with the tuning table (if any) applied to each. */
export function benchRuntimeFactory(softwareGpu: boolean, tuning: MatmulTuning | null): MakeRuntime {
  if (softwareGpu) useSoftwareGpu();
  // SwiftShader compiles tiled kernels far faster without workgroup zero-init (as the tests run it); real
  // GPUs keep Dawn's defaults, as a browser would.
  return async () => {
    const rt = await createNodeRuntime({}, softwareGpu ? ['disable_workgroup_init'] : []);
    setMatmulTuning(rt, tuning);
    return rt;
  };
}
