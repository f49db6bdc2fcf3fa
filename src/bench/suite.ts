/**
 * The benchmark suite: per-kernel timings, the training step per method, evaluation throughput, each section
 * on its own device. A method that fails on the GPU (e.g. out of memory) is recorded and the run goes on.
 * Host-agnostic: the Node CLI (run.ts, Dawn) and the dashboard's Worker (the browser's WebGPU) give it their
 * runtimes and describe themselves; the report is the same JSON either way.
 */
import { GpuError } from '../engine/gpu/errors';
import type { Runtime } from '../engine/gpu/runtime';
import { DEFAULT_MATMUL_TILE, type MatmulTuning } from '../engine/kernels/matmul_tiles';
import { kernelCases, kernelDims, type KernelCase } from './kernels';
import { benchMethods, FULL_SCALE, QUICK_SCALE, selectMethods, type BenchScale, type Section } from './methods';
import { fp32Peak, fractionOfPeak, type PeakMatch } from './peaks';
import { REPORT_SCHEMA, type BenchEnvironment, type BenchReport, type EvalBench, type KernelResult, type StepBench } from './report';
import { benchEval, benchStep, type MakeRuntime } from './steps';
import { timeDispatches, timingMethod } from './timing';

export interface SuiteOptions {
  readonly quick: boolean;
  /** Method names to run (null: all). */
  readonly methods: readonly string[] | null;
  readonly sections: readonly Section[];
  /** Overrides of the scale's timed and warm-up step counts. */
  readonly steps?: number;
  readonly warmup?: number;
  /** A matmul tuning table (from --tune) every runtime of the run uses; null: the default tile. */
  readonly tuning?: MatmulTuning | null;
}

export interface BenchFailure {
  readonly section: Section;
  readonly name: string;
  readonly message: string;
}

export type BenchResult = BenchReport & { readonly failures: readonly BenchFailure[] };

export type Log = (line: string) => void;

/** Where the suite runs: how it gets a runtime (the tuning table applied), and what it says about itself. */
export interface BenchHost {
  readonly makeRuntime: MakeRuntime;
  /** Node's version, or null in a browser. */
  readonly node: string | null;
  /** The browser's user agent, or null in Node. */
  readonly browser: string | null;
  readonly platform: string;
  /** The `webgpu` package's version (Dawn's Node bindings), or null in a browser. */
  readonly webgpuPackage: string | null;
  readonly vkIcd: string | null;
}

export async function runSuite(options: SuiteOptions, host: BenchHost, log: Log = () => undefined): Promise<BenchResult> {
  const base = options.quick ? QUICK_SCALE : FULL_SCALE;
  const scale: BenchScale = { ...base, timedSteps: options.steps ?? base.timedSteps, warmupSteps: options.warmup ?? base.warmupSteps };
  const methods = selectMethods(benchMethods(scale), options.methods);
  const makeRuntime = host.makeRuntime;
  const probe = await makeRuntime();
  const environment = describeEnvironment(probe, host, options.tuning ?? null);
  probe.destroy();
  log(`adapter: ${environment.adapter.description || environment.adapter.vendor}`);
  const failures: BenchFailure[] = [];
  const guard = async <T>(section: Section, name: string, fn: () => Promise<T>): Promise<T | null> => {
    try {
      return await fn();
    } catch (error) {
      if (!(error instanceof GpuError)) throw error;
      failures.push({ section, name, message: error.message });
      log(`  ${name}: failed: ${error.message}`);
      return null;
    }
  };
  const has = (s: Section): boolean => options.sections.includes(s);
  const kernels = has('kernels') ? await guard('kernels', 'kernels', () => benchKernels(makeRuntime, scale, environment.fp32Peak, log)) : [];
  const steps: StepBench[] = [];
  if (has('steps')) {
    for (const m of methods) {
      log(`step: ${m.name}`);
      const s = await guard('steps', m.name, () => benchStep(makeRuntime, scale, m, environment.fp32Peak));
      if (s) steps.push(s);
    }
  }
  const evalMethod = methods.find((m) => m.name === 'lora') ?? methods[0];
  let evaluation: EvalBench | null = null;
  if (has('eval') && evalMethod) {
    log(`eval: ${evalMethod.name}`);
    evaluation = await guard('eval', evalMethod.name, () => benchEval(makeRuntime, scale, evalMethod));
  }
  return { ...header(scale, options.quick, environment), kernels: kernels ?? [], steps, eval: evaluation, failures };
}

function header(scale: BenchScale, quick: boolean, environment: BenchEnvironment): Omit<BenchReport, 'kernels' | 'steps' | 'eval'> {
  const r = scale.recipe;
  return {
    schema: REPORT_SCHEMA,
    date: new Date().toISOString(),
    quick,
    environment,
    model: { name: scale.modelName, config: scale.model },
    recipe: { batchSize: r.batchSize, codeLength: r.codeLength, nlLength: r.nlLength, hiddenDropout: r.hiddenDropout, attentionDropout: r.attentionDropout, evalBatchSize: r.evalBatchSize },
  };
}

function describeEnvironment(rt: Runtime, host: BenchHost, tuning: MatmulTuning | null): BenchEnvironment {
  const a = rt.adapter;
  return {
    node: host.node,
    browser: host.browser,
    platform: host.platform,
    webgpuPackage: host.webgpuPackage,
    adapter: { vendor: a.vendor, architecture: a.architecture, device: a.device, description: a.description, isFallbackAdapter: a.isFallbackAdapter, features: a.features },
    kernelTiming: timingMethod(rt),
    stepTiming: 'wall-clock',
    fp32Peak: fp32Peak(a),
    vkIcd: host.vkIcd,
    matmulTiles: tuning ? `tuned on ${tuning.adapter} (${Object.keys(tuning.tiles).length} shapes off the default)` : `${DEFAULT_MATMUL_TILE} everywhere (no --tuning)`,
  };
}

/** Every kernel case on one device, its buffers freed after each (AdamW's alone are 2 GB at full scale). */
async function benchKernels(makeRuntime: MakeRuntime, scale: BenchScale, peak: PeakMatch | null, log: Log): Promise<KernelResult[]> {
  const r = scale.recipe;
  const cases = kernelCases(kernelDims(scale.model, r.batchSize, r.codeLength, scale.loraRank, r.attentionDropout));
  const rt = await makeRuntime();
  try {
    const out: KernelResult[] = [];
    for (const c of cases) out.push(await benchKernel(rt, c, scale, peak, log));
    return out;
  } finally {
    rt.destroy();
  }
}

async function benchKernel(rt: Runtime, c: KernelCase, scale: BenchScale, peak: PeakMatch | null, log: Log): Promise<KernelResult> {
  log(`kernel: ${c.id}`);
  const built = c.build(rt);
  try {
    const t = await timeDispatches(rt, built.list, { warmup: scale.kernelWarmup, reps: scale.kernelReps });
    const flops = built.list.reduce((s, d) => s + d.flops, 0);
    const seconds = t.ms / 1000;
    return {
      id: c.id,
      label: c.label,
      flops,
      bytes: built.bytes,
      ms: t.ms,
      minMs: t.minMs,
      gflops: flops / seconds / 1e9,
      gbps: built.bytes / seconds / 1e9,
      fractionOfPeak: fractionOfPeak(flops / seconds, peak),
      timing: t.method,
      reps: t.reps,
      inner: t.inner,
    };
  } finally {
    rt.release(...built.tensors);
    rt.arena.trim();
  }
}
