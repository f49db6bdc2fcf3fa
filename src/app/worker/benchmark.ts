/**
 * The benchmark in the browser: the CLI's suite (src/bench/suite.ts) on this browser's WebGPU, each section on a
 * device of its own (destroyed by the suite), with the page's matmul tuning table. The report is the CLI's JSON
 * (schema webgpu-lab-bench/1); the environment names the browser instead of Node and Dawn.
 */
import { acquireDevice } from '../../engine/gpu/device';
import { Runtime } from '../../engine/gpu/runtime';
import { applyMatmulTuning } from '../../engine/tune/matmul_tune';
import { runSuite, type BenchResult } from '../../bench/suite';
import type { WorkerRequest } from './protocol';

type BenchmarkRequest = Extract<WorkerRequest, { type: 'benchmark' }>;

export async function browserBenchmark(request: BenchmarkRequest, gpu: GPU | undefined, log: (line: string) => void): Promise<BenchResult> {
  const host = {
    makeRuntime: async () => {
      const rt = new Runtime(await acquireDevice(gpu));
      applyMatmulTuning(rt, request.matmulTuning);
      return rt;
    },
    node: null,
    browser: navigator.userAgent,
    platform: (navigator as Navigator & { platform?: string }).platform ?? 'unknown',
    webgpuPackage: null,
    vkIcd: null,
  };
  // The page's benchmark: the step per method and evaluation (the kernel table is the CLI's, for tuning work).
  return runSuite({ quick: request.quick, methods: request.methods, sections: ['steps', 'eval'], tuning: request.matmulTuning }, host, log);
}
