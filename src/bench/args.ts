/** `npm run bench -- ...` flags, parsed strictly into one of the benchmark's modes. */
import { parseArgs } from 'node:util';
import { BenchInputError, SECTIONS, type Section } from './methods';

export const USAGE = `Usage:
  npm run bench -- [--quick] [--software-gpu] [--methods a,b] [--only kernels,steps,eval] [--steps N] [--warmup N] [--tuning FILE] [--json FILE]
      Time the kernels, the training step per method and evaluation on this machine's GPU.
  npm run bench -- --tune [--quick] [--software-gpu] [--methods a,b] [--json FILE]
      Time every matmul tile on every matmul shape of the methods' steps; --json writes the tuning table.
  npm run bench -- --plan [--quick] [--methods a,b] [--batch N] [--eval-batch N] [--json FILE]
      No GPU needed: the memory planner's bytes, FLOPs and bound bytes per step for each method.
  npm run bench -- --compare WEBGPU.json TORCH.json [--json FILE]
      Join this benchmark's JSON with tools/bench_pytorch.py's into ratios.

  --quick         tiny model and short sequences (a smoke test: finishes in seconds on SwiftShader)
  --software-gpu  use Chromium's SwiftShader (sets VK_ICD_FILENAMES when it is unset)
  --methods       full, lora, adapter-h, adapter-ffn, prefix, loff, bitfit, telly, lwo (default: all)
  --only          sections to run (default: kernels,steps,eval)
  --tuning FILE   use a matmul tuning table written by --tune (default: the 64×64 tile everywhere)
  --json FILE     also write the report as JSON`;

export type BenchArgs =
  | { readonly mode: 'help' }
  | {
      readonly mode: 'bench';
      readonly quick: boolean;
      readonly softwareGpu: boolean;
      readonly methods: readonly string[] | null;
      readonly sections: readonly Section[];
      readonly steps: number | undefined;
      readonly warmup: number | undefined;
      readonly tuning: string | null;
      readonly json: string | null;
    }
  | { readonly mode: 'tune'; readonly quick: boolean; readonly softwareGpu: boolean; readonly methods: readonly string[] | null; readonly json: string | null }
  | {
      readonly mode: 'plan';
      readonly quick: boolean;
      readonly methods: readonly string[] | null;
      readonly batchSize: number | undefined;
      readonly evalBatchSize: number | undefined;
      readonly json: string | null;
    }
  | { readonly mode: 'compare'; readonly webgpu: string; readonly torch: string; readonly json: string | null };

const FLAGS = {
  help: { type: 'boolean', short: 'h' },
  quick: { type: 'boolean' },
  'software-gpu': { type: 'boolean' },
  methods: { type: 'string' },
  only: { type: 'string' },
  steps: { type: 'string' },
  warmup: { type: 'string' },
  json: { type: 'string' },
  batch: { type: 'string' },
  'eval-batch': { type: 'string' },
  plan: { type: 'boolean' },
  compare: { type: 'boolean' },
  tune: { type: 'boolean' },
  tuning: { type: 'string' },
} as const;

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof FLAGS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/\. To specify.*$/s, '') : String(error);
    throw new BenchInputError(`${message} (see npm run bench -- --help)`);
  }
  const v = parsed.values;
  const files = parsed.positionals;
  if (v.help) return { mode: 'help' };
  const json = v.json ?? null;
  if (v.compare) {
    if (files.length !== 2) throw new BenchInputError('--compare needs two files: the WebGPU report and the PyTorch report (see npm run bench -- --help)');
    return { mode: 'compare', webgpu: files[0]!, torch: files[1]!, json };
  }
  if (files.length > 0) throw new BenchInputError(`unexpected argument "${files[0]}" (see npm run bench -- --help)`);
  const methods = v.methods === undefined ? null : list(v.methods, '--methods');
  if (v.plan) return { mode: 'plan', quick: v.quick === true, methods, batchSize: count(v.batch, '--batch', 2), evalBatchSize: count(v['eval-batch'], '--eval-batch', 1), json };
  if (v.tune) {
    if (v.only !== undefined || v.steps !== undefined || v.warmup !== undefined || v.tuning !== undefined) throw new BenchInputError('--tune takes --quick, --software-gpu, --methods and --json only');
    return { mode: 'tune', quick: v.quick === true, softwareGpu: v['software-gpu'] === true, methods, json };
  }
  if (v.batch !== undefined || v['eval-batch'] !== undefined) throw new BenchInputError('--batch and --eval-batch apply to --plan only (the benchmark runs the thesis recipe)');
  const sections = v.only === undefined ? [...SECTIONS] : list(v.only, '--only').map(section);
  return {
    mode: 'bench',
    quick: v.quick === true,
    softwareGpu: v['software-gpu'] === true,
    methods,
    sections,
    steps: count(v.steps, '--steps', 1),
    warmup: count(v.warmup, '--warmup', 0),
    tuning: v.tuning ?? null,
    json,
  };
}

function list(raw: string, flag: string): string[] {
  const items = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (items.length === 0) throw new BenchInputError(`${flag} needs a comma-separated list (got "${raw}")`);
  return items;
}

function section(name: string): Section {
  if (!(SECTIONS as readonly string[]).includes(name)) throw new BenchInputError(`--only: unknown section "${name}": choose from ${SECTIONS.join(', ')}`);
  return name as Section;
}

function count(raw: string | undefined, flag: string, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > 10_000) throw new BenchInputError(`${flag} must be a whole number from ${min} to 10000 (got "${raw}")`);
  return n;
}
