/** The benchmark's JSON report and its human-readable table. */
import type { AdapterSummary } from '../engine/gpu/device';
import type { EncoderConfig } from '../engine/model/config';
import type { PeakMatch } from './peaks';
import type { TimingMethod } from './timing';

export const REPORT_SCHEMA = 'webgpu-lab-bench/1';

export interface KernelResult {
  readonly id: string;
  readonly label: string;
  readonly flops: number;
  readonly bytes: number;
  /** Median milliseconds per launch. */
  readonly ms: number;
  readonly minMs: number;
  readonly gflops: number;
  readonly gbps: number;
  readonly fractionOfPeak: number | null;
  readonly timing: TimingMethod;
  readonly reps: number;
  readonly inner: number;
}

export interface StepBench {
  readonly method: string;
  /** The lab's PEFT JSON, so the PyTorch script can run the same configuration. */
  readonly peft: unknown;
  readonly trainableParams: number;
  readonly dispatches: number;
  /** Mean over the timed steps (LWO's phases differ); the engine's count, AdamW excluded. */
  readonly flopsPerStep: number;
  /** Bytes the step's dispatches bind (each bound range once), from the planner. */
  readonly boundBytesPerStep: number;
  /** Median wall-clock milliseconds per step (tm.step: submit, run, read the loss back). */
  readonly ms: number;
  readonly minMs: number;
  readonly meanMs: number;
  readonly steps: number;
  readonly tflops: number;
  readonly fractionOfPeak: number | null;
  /** Training (code, query) pairs per second. */
  readonly pairsPerSecond: number;
  /** The arena's peak after the timed steps. */
  readonly peakBytes: number;
  /** The memory planner's prediction for the same configuration. */
  readonly plannedBytes: number;
  readonly lastLoss: number;
}

export interface EvalBench {
  readonly method: string;
  readonly examples: number;
  readonly batchSize: number;
  readonly seconds: number;
  /** Code snippets and queries embedded (and ranked) per second: 2·examples / seconds. */
  readonly sequencesPerSecond: number;
  readonly peakBytes: number;
}

/** The adapter's identity as the report prints it (the runtime's summary without the limits). */
export type AdapterInfo = Omit<AdapterSummary, 'limits'>;

export interface BenchEnvironment {
  /** Node's version (the CLI), or null (a browser). */
  readonly node: string | null;
  /** The browser's user agent (the dashboard's benchmark), or null (Node). */
  readonly browser: string | null;
  readonly platform: string;
  /** The webgpu package (Dawn's Node bindings), or null in a browser. */
  readonly webgpuPackage: string | null;
  readonly adapter: AdapterInfo;
  readonly kernelTiming: TimingMethod;
  readonly stepTiming: 'wall-clock';
  readonly fp32Peak: PeakMatch | null;
  readonly vkIcd: string | null;
  /** Which matmul tiles ran: the default everywhere, or a --tune table's choices (and where it was measured). */
  readonly matmulTiles: string;
}

export interface BenchReport {
  readonly schema: typeof REPORT_SCHEMA;
  readonly date: string;
  readonly quick: boolean;
  readonly environment: BenchEnvironment;
  readonly model: { readonly name: string; readonly config: EncoderConfig };
  readonly recipe: { readonly batchSize: number; readonly codeLength: number; readonly nlLength: number; readonly hiddenDropout: number; readonly attentionDropout: number; readonly evalBatchSize: number };
  readonly kernels: readonly KernelResult[];
  readonly steps: readonly StepBench[];
  readonly eval: EvalBench | null;
}

/** Text columns: the first `left` left-aligned (names), the rest right-aligned (numbers), a header rule. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], left = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i < left ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export const fmt = {
  num: (x: number, digits = 2): string => (Number.isFinite(x) ? x.toFixed(digits) : String(x)),
  pct: (x: number | null): string => (x === null ? 'unknown' : `${(100 * x).toFixed(1)}%`),
  bytes: (b: number): string => (b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(2)} GiB` : b >= 2 ** 20 ? `${(b / 2 ** 20).toFixed(1)} MiB` : `${(b / 1024).toFixed(1)} KiB`),
  count: (n: number): string => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} G` : n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} K` : String(n)),
};

export function formatReport(r: BenchReport): string {
  const e = r.environment;
  const a = e.adapter;
  const out: string[] = [
    `WebGPU fine-tuning lab benchmark — ${r.date}${r.quick ? ' (--quick: tiny shapes, timings not meaningful)' : ''}`,
    `adapter: ${a.description || a.device || '(no description)'} [vendor ${a.vendor}, architecture ${a.architecture}${a.isFallbackAdapter ? ', fallback adapter' : ''}]`,
    `${e.node !== null ? `node ${e.node}` : `browser ${e.browser ?? 'unknown'}`} ${e.platform}${e.webgpuPackage !== null ? `, webgpu ${e.webgpuPackage}` : ''}; FP32 peak: ${e.fp32Peak ? `${e.fp32Peak.tflops} TFLOPS (${e.fp32Peak.name})` : 'unknown'}`,
    `matmul tiles: ${e.matmulTiles}`,
    `model ${r.model.name}; recipe batch ${r.recipe.batchSize}, code ${r.recipe.codeLength}, NL ${r.recipe.nlLength}, dropout ${r.recipe.hiddenDropout}/${r.recipe.attentionDropout}`,
  ];
  if (r.kernels.length > 0) {
    out.push('', `Kernels (median per launch; timing: ${e.kernelTiming})`);
    const rows = r.kernels.map((k) => [k.id, k.label, fmt.num(k.ms, 3), fmt.num(k.gflops, 1), fmt.num(k.gbps, 1), fmt.pct(k.fractionOfPeak)]);
    out.push(table(['kernel', 'what', 'ms', 'GFLOPS', 'GB/s', 'of FP32 peak'], rows, 2));
  }
  if (r.steps.length > 0) {
    const n = r.steps[0]!.steps;
    out.push('', `Training step per method (median wall-clock over ${n} step${n === 1 ? '' : 's'} after warm-up)`);
    const rows = r.steps.map((s) => [
      s.method,
      fmt.count(s.trainableParams),
      fmt.num(s.ms, 1),
      fmt.num(s.pairsPerSecond, 1),
      fmt.count(s.flopsPerStep),
      fmt.num(s.tflops, 2),
      fmt.pct(s.fractionOfPeak),
      fmt.bytes(s.peakBytes),
      s.peakBytes === s.plannedBytes ? 'yes' : `no (${fmt.bytes(s.plannedBytes)})`,
    ]);
    out.push(table(['method', 'trainable', 'ms/step', 'pairs/s', 'FLOP/step', 'TFLOPS', 'of FP32 peak', 'peak memory', 'planner exact'], rows));
  }
  if (r.eval) {
    const v = r.eval;
    out.push('', `Evaluation (${v.method}): ${v.examples} pairs at batch ${v.batchSize} in ${fmt.num(v.seconds, 2)} s = ${fmt.num(v.sequencesPerSecond, 1)} sequences/s; peak memory ${fmt.bytes(v.peakBytes)}`);
  }
  return out.join('\n');
}
