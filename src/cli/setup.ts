/** What every GPU command needs: a WebGPU runtime in Node, and data shards read and tokenized. */
import { existsSync, readFileSync } from 'node:fs';
import { readShard } from '../engine/data/shard';
import { sourceFromPath } from '../engine/data/node_source';
import { DataError, type ShardReport } from '../engine/data/types';
import { GPU_ERROR_ADVICE, GpuError } from '../engine/gpu/errors';
import { createNodeRuntime } from '../engine/gpu/node';
import type { Runtime } from '../engine/gpu/runtime';
import { encodeExamples, type EncodedShard } from '../engine/io/encode';
import type { CodeSearchTokenizer } from '../engine/io/tokenizer';
import { parseMatmulTuning, setMatmulTuning, type MatmulTuning } from '../engine/kernels/matmul_tiles';
import { adapterKey } from '../engine/tune/adapter_key';
import type { FlagReader } from './args';
import { CliError } from './errors';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** The flags every GPU command takes. */
export const GPU_FLAGS = { 'software-gpu': { type: 'boolean' }, 'matmul-tuning': { type: 'string' } } as const;

export const GPU_HELP = `  --software-gpu      run on the CPU through SwiftShader (very slow; for trying things out)
  --matmul-tuning F   matmul tiles measured on this GPU by \`npm run bench -- --tune --json F\``;

/** The runtime the GPU flags ask for; a tuning table is read (and checked) before the GPU is touched. */
export async function runtimeFromFlags(f: FlagReader): Promise<Runtime> {
  const path = f.string('matmul-tuning');
  const tuning = path === undefined ? null : readTuning(path);
  const rt = await nodeRuntime(f.bool('software-gpu'));
  const adapter = adapterKey(rt.adapter); // the name --tune files its table under
  if (tuning && tuning.adapter !== adapter) process.stderr.write(`lab: --matmul-tuning ${path} was measured on ${tuning.adapter}, not ${adapter}: its tiles are still correct, maybe not the fastest here\n`);
  setMatmulTuning(rt, tuning);
  return rt;
}

function readTuning(path: string): MatmulTuning {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch {
    throw new CliError(`--matmul-tuning ${path} cannot be read as JSON: check the path (write one with npm run bench -- --tune --json ${path})`);
  }
  try {
    return parseMatmulTuning(json, `--matmul-tuning ${path}`);
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error));
  }
}

export async function nodeRuntime(softwareGpu: boolean): Promise<Runtime> {
  if (softwareGpu) {
    if (!existsSync(SWIFTSHADER_ICD)) throw new CliError(`--software-gpu needs SwiftShader (${SWIFTSHADER_ICD}): install Debian's chromium package`);
    process.env.VK_ICD_FILENAMES ??= SWIFTSHADER_ICD;
  }
  try {
    const rt = await createNodeRuntime();
    // A lost device fails the command's next GPU call, which reports it once; an uncaptured error may not.
    rt.on((e) => e.type === 'uncaptured-error' && process.stderr.write(`lab: ${e.error.message}\n`));
    return rt;
  } catch (error) {
    if (error instanceof GpuError && error.kind === 'unavailable') {
      throw new CliError(`no WebGPU adapter was found (${error.message}). Check the GPU driver (Vulkan on Linux), or add --software-gpu to run on the CPU through SwiftShader (very slow).`);
    }
    throw error;
  }
}

export interface LoadedShard extends EncodedShard {
  readonly report: ShardReport;
}

/** Reads a shard, tells the user about skipped records on stderr, and tokenizes it. */
export async function loadShard(path: string, flag: string, tok: CodeSearchTokenizer, codeLength: number, nlLength: number): Promise<LoadedShard> {
  if (!existsSync(path)) throw new CliError(`--${flag} ${path} does not exist`);
  let result: Awaited<ReturnType<typeof readShard>>;
  try {
    result = await readShard(await sourceFromPath(path));
  } catch (error) {
    if (error instanceof DataError) throw new CliError(`--${flag} ${path}: ${error.message}`);
    throw error;
  }
  const { examples, report } = result;
  if (report.skipped > 0) {
    const where = report.firstSkipped.map((s) => `line ${s.line}: ${s.reason}`).join('; ');
    process.stderr.write(`lab: ${path}: skipped ${report.skipped} record(s) (${where}${report.skipped > report.firstSkipped.length ? '; …' : ''})\n`);
  }
  for (const w of report.warnings) process.stderr.write(`lab: ${path}: ${w}\n`);
  if (examples.length === 0) throw new CliError(`--${flag} ${path} has no usable examples (${report.skipped} skipped)`);
  return { ...encodeExamples(examples, tok, codeLength, nlLength), report };
}

export function describeError(error: unknown): string {
  if (error instanceof GpuError) return `${error.message} ${GPU_ERROR_ADVICE[error.kind]}`;
  return error instanceof Error ? error.message : String(error);
}
