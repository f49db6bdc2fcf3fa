/**
 * `npm run bench`: the benchmark's command line (bundled to dist/cli/bench.js by vite.cli.config.ts). Tables
 * go to stdout, progress to stderr, the JSON report to --json FILE. Input mistakes print one line and exit 2;
 * GPU failures print the GPU layer's advice and exit 1.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describeGpuError, GpuError } from '../engine/gpu/errors';
import { ConfigError } from '../engine/peft/fields';
import { parseBenchArgs, USAGE, type BenchArgs } from './args';
import { compareReports, formatComparison, parseReports } from './compare';
import { BenchInputError } from './methods';
import { formatPlan, runPlan } from './plan_report';
import { formatReport } from './report';
import { benchRuntimeFactory, runBench } from './run';
import { formatTune, runTune } from './tune';
import { parseMatmulTuning } from '../engine/kernels/matmul_tiles';
import { fp32Peak } from './peaks';

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new BenchInputError(`cannot read ${path}: check the path`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BenchInputError(`${path} is not valid JSON`);
  }
}

function parseTuning(path: string) {
  try {
    return parseMatmulTuning(readJson(path), path);
  } catch (error) {
    if (error instanceof GpuError) throw new BenchInputError(error.message);
    throw error;
  }
}

function writeJson(path: string | null, value: unknown): void {
  if (!path) return;
  try {
    writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
  } catch {
    throw new BenchInputError(`cannot write ${path}: check that its folder exists and is writable`);
  }
  process.stderr.write(`wrote ${path}\n`);
}

async function execute(args: BenchArgs): Promise<void> {
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  switch (args.mode) {
    case 'help':
      console.log(USAGE);
      return;
    case 'compare': {
      const { webgpu, torch } = parseReports(readJson(args.webgpu), readJson(args.torch), { webgpu: args.webgpu, torch: args.torch });
      const comparison = compareReports(webgpu, torch);
      console.log(formatComparison(comparison));
      writeJson(args.json, comparison);
      return;
    }
    case 'plan': {
      const plan = await runPlan({ quick: args.quick, methods: args.methods, batchSize: args.batchSize, evalBatchSize: args.evalBatchSize });
      console.log(formatPlan(plan));
      writeJson(args.json, plan);
      return;
    }
    case 'tune': {
      const rt = await benchRuntimeFactory(args.softwareGpu, null)();
      try {
        log(`adapter: ${rt.adapter.description || rt.adapter.vendor}`);
        const report = await runTune(rt, { quick: args.quick, methods: args.methods }, fp32Peak(rt.adapter), log);
        console.log(formatTune(report));
        writeJson(args.json, report);
      } finally {
        rt.destroy();
      }
      return;
    }
    case 'bench': {
      const tuning = args.tuning === null ? null : parseTuning(args.tuning);
      const report = await runBench({ quick: args.quick, methods: args.methods, softwareGpu: args.softwareGpu, sections: args.sections, steps: args.steps, warmup: args.warmup, tuning }, log);
      console.log(formatReport(report));
      for (const f of report.failures) console.log(`failed: ${f.section} ${f.name}: ${f.message}`);
      writeJson(args.json, report);
    }
  }
}

async function main(argv: readonly string[]): Promise<number> {
  try {
    await execute(parseBenchArgs(argv));
    return 0;
  } catch (error) {
    if (error instanceof BenchInputError || error instanceof ConfigError) {
      console.error(`bench: ${error.message}`);
      return 2;
    }
    if (error instanceof GpuError) {
      const hint = error.kind === 'unavailable' ? '\nIn Node, Dawn needs a Vulkan driver: set VK_ICD_FILENAMES to its ICD file (e.g. /usr/share/vulkan/icd.d/nvidia_icd.json), or pass --software-gpu for SwiftShader.' : '';
      console.error(`bench: ${describeGpuError(error)}${hint}`);
      return 1;
    }
    throw error;
  }
}

// Dawn keeps the process alive: exit explicitly once the work is done.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
