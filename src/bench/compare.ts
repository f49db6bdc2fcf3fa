/**
 * Joins this benchmark's report with tools/bench_pytorch.py's (same GPU, same configurations) into ratios.
 * Every ratio is WebGPU time / PyTorch time (> 1: WebGPU is slower); memory is WebGPU peak / PyTorch peak.
 * Mismatched recipes or method configurations are reported as warnings next to the numbers.
 */
import { BenchInputError } from './methods';
import { REPORT_SCHEMA, fmt, table, type BenchReport } from './report';

export const TORCH_SCHEMA = 'torch-bench/1';
export const COMPARE_SCHEMA = 'webgpu-lab-compare/1';

/** What tools/bench_pytorch.py writes (the fields the comparison reads). */
export interface TorchReport {
  readonly schema: typeof TORCH_SCHEMA;
  readonly date: string;
  readonly environment: { readonly torch: string; readonly device: string; readonly cuda: string | null };
  readonly model: { readonly name: string };
  readonly recipe: { readonly batchSize: number; readonly codeLength: number; readonly nlLength: number };
  readonly runs: readonly TorchRun[];
}

export interface TorchRun {
  /** fp32 (TF32 off), tf32, or bf16 (autocast). */
  readonly precision: string;
  readonly kernels: readonly { readonly id: string; readonly ms: number }[];
  readonly steps: readonly { readonly method: string; readonly peft: unknown; readonly ms: number; readonly peakBytes: number | null }[];
  readonly eval: { readonly sequencesPerSecond: number; readonly peakBytes: number | null } | null;
}

export interface RatioRow {
  readonly name: string;
  readonly webgpu: number;
  /** PyTorch's number per precision, and WebGPU / PyTorch. */
  readonly torch: Readonly<Record<string, number>>;
  readonly ratio: Readonly<Record<string, number>>;
}

export interface Comparison {
  readonly schema: typeof COMPARE_SCHEMA;
  readonly webgpu: { readonly date: string; readonly adapter: string };
  readonly torch: { readonly date: string; readonly device: string; readonly version: string };
  readonly precisions: readonly string[];
  readonly warnings: readonly string[];
  /** ms per step. */
  readonly steps: readonly RatioRow[];
  /** Peak bytes per method (PyTorch: torch.cuda.max_memory_allocated). */
  readonly memory: readonly RatioRow[];
  /** ms per launch. */
  readonly kernels: readonly RatioRow[];
  /** Seconds per 1000 sequences (time, so the ratio reads like the others). */
  readonly eval: RatioRow | null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks the two documents' schemas and the fields the join reads; one message naming the file and the fix. */
export function parseReports(webgpuJson: unknown, torchJson: unknown, names: { webgpu: string; torch: string }): { webgpu: BenchReport; torch: TorchReport } {
  if (!isRecord(webgpuJson) || webgpuJson.schema !== REPORT_SCHEMA || !Array.isArray(webgpuJson.steps) || !Array.isArray(webgpuJson.kernels)) {
    throw new BenchInputError(`${names.webgpu} is not a WebGPU benchmark report (expected "schema": "${REPORT_SCHEMA}"): write one with npm run bench -- --json FILE`);
  }
  if (!isRecord(torchJson) || torchJson.schema !== TORCH_SCHEMA || !Array.isArray(torchJson.runs) || !isRecord(torchJson.recipe)) {
    throw new BenchInputError(`${names.torch} is not a PyTorch benchmark report (expected "schema": "${TORCH_SCHEMA}"): write one with tools/bench_pytorch.py --json FILE`);
  }
  return { webgpu: webgpuJson as unknown as BenchReport, torch: torchJson as unknown as TorchReport };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function row(name: string, webgpu: number, runs: readonly TorchRun[], pick: (run: TorchRun) => number | null): RatioRow | null {
  const torch: Record<string, number> = {};
  const ratio: Record<string, number> = {};
  for (const run of runs) {
    const t = pick(run);
    if (t === null || !(t > 0)) continue;
    torch[run.precision] = t;
    ratio[run.precision] = webgpu / t;
  }
  return Object.keys(torch).length > 0 ? { name, webgpu, torch, ratio } : null;
}

function recipeWarnings(w: BenchReport, t: TorchReport): string[] {
  const warnings: string[] = [];
  for (const key of ['batchSize', 'codeLength', 'nlLength'] as const) {
    if (w.recipe[key] !== t.recipe[key]) warnings.push(`recipe ${key} differs: WebGPU ${w.recipe[key]}, PyTorch ${t.recipe[key]}`);
  }
  if (w.model.name !== t.model.name) warnings.push(`model differs: WebGPU ${w.model.name}, PyTorch ${t.model.name}`);
  if (w.quick) warnings.push('the WebGPU report is a --quick run: its timings are not meaningful');
  return warnings;
}

export function compareReports(w: BenchReport, t: TorchReport): Comparison {
  const warnings = recipeWarnings(w, t);
  const steps: RatioRow[] = [];
  const memory: RatioRow[] = [];
  for (const s of w.steps) {
    const match = (run: TorchRun) => run.steps.find((x) => x.method === s.method);
    const first = t.runs.map(match).find((x) => x !== undefined);
    if (first && !sameJson(first.peft, s.peft)) warnings.push(`${s.method}: the PEFT configurations differ (run tools/bench_pytorch.py --from the WebGPU report)`);
    const r = row(s.method, s.ms, t.runs, (run) => match(run)?.ms ?? null);
    if (r) steps.push(r);
    const m = row(s.method, s.peakBytes, t.runs, (run) => match(run)?.peakBytes ?? null);
    if (m) memory.push(m);
  }
  const kernels = w.kernels.map((k) => row(k.id, k.ms, t.runs, (run) => run.kernels.find((x) => x.id === k.id)?.ms ?? null)).filter((r): r is RatioRow => r !== null);
  const perK = (seqPerSecond: number): number => 1000 / seqPerSecond;
  const evaluation = w.eval ? row('evaluation', perK(w.eval.sequencesPerSecond), t.runs, (run) => (run.eval ? perK(run.eval.sequencesPerSecond) : null)) : null;
  const a = w.environment.adapter;
  return {
    schema: COMPARE_SCHEMA,
    webgpu: { date: w.date, adapter: a.description || a.device || a.vendor },
    torch: { date: t.date, device: t.environment.device, version: t.environment.torch },
    precisions: t.runs.map((r) => r.precision),
    warnings,
    steps,
    memory,
    kernels,
    eval: evaluation,
  };
}

export function formatComparison(c: Comparison): string {
  const p = c.precisions;
  const section = (title: string, rows: readonly RatioRow[], unit: (x: number) => string): string[] =>
    rows.length === 0
      ? []
      : ['', title, table(['', 'WebGPU', ...p.map((x) => `PyTorch ${x}`), ...p.map((x) => `ratio vs ${x}`)], rows.map((r) => [r.name, unit(r.webgpu), ...p.map((x) => (r.torch[x] === undefined ? '-' : unit(r.torch[x]!))), ...p.map((x) => (r.ratio[x] === undefined ? '-' : `${fmt.num(r.ratio[x]!, 2)}×`))]))];
  return [
    `WebGPU (${c.webgpu.adapter}, ${c.webgpu.date}) vs PyTorch ${c.torch.version} (${c.torch.device}, ${c.torch.date})`,
    'ratio = WebGPU / PyTorch: above 1 means WebGPU takes longer (or uses more memory)',
    ...c.warnings.map((w) => `warning: ${w}`),
    ...section('Training step (ms)', c.steps, (x) => fmt.num(x, 1)),
    ...section('Peak memory', c.memory, fmt.bytes),
    ...section('Kernels (ms per launch)', c.kernels, (x) => fmt.num(x, 3)),
    ...section('Evaluation (s per 1000 sequences)', c.eval ? [c.eval] : [], (x) => fmt.num(x, 2)),
  ].join('\n');
}
