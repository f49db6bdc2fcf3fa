/** `export-run`: a run or a sweep as a PyTorch project (transformers + peft + accelerate) for a cluster. */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { exportProject, type ExportedRun } from '../../engine/export_run/project';
import { ConfigError } from '../../engine/peft/fields';
import type { EncoderConfig } from '../../engine/model/config';
import { parseRunConfig, type RunConfig } from '../../engine/train/run_config';
import { FlagReader, parseFlags } from '../args';
import { CliError } from '../errors';
import { readModelConfig } from '../model_dir';
import { RUN_CONFIG_FILE } from '../adapter_dir';

export const EXPORT_RUN_HELP = `npm run lab -- export-run --run PATH [--run PATH ...] --model DIR|ID --train FILE [--valid FILE] --out DIR
  Writes a self-contained PyTorch project that trains the same run with transformers + peft + accelerate, on
  one GPU, several, or several machines (see OUT/README.md for the accelerate launch lines).
  --run PATH    a run's output folder (its ${RUN_CONFIG_FILE}) or a run configuration JSON; several --run (or a
                folder of run folders) export a sweep: one folder per run and a sweep.sh
  --model       the model folder or Hugging Face id the cluster will load (default: the run's model)
  --train/--valid  the data files, as the cluster will see them (relative paths are relative to OUT)`;

const FLAGS = { run: { type: 'string', multiple: true }, model: { type: 'string' }, train: { type: 'string' }, valid: { type: 'string' }, out: { type: 'string' } } as const;

export function exportRunProject(argv: readonly string[]): void {
  const parsed = parseFlags(argv, FLAGS, 'export-run');
  const f = new FlagReader(parsed, 'export-run');
  const paths = runPaths(parsed.values.run);
  const out = f.required('out');
  const modelName = f.string('model') ?? modelOf(paths[0]!);
  const model = readModelConfig(modelName);
  const runs: ExportedRun[] = paths.map((p) => ({ name: runName(p), run: readRun(p, model.config) }));
  const files = exportProject(runs, model.config, { model: modelName, train: f.required('train'), valid: f.string('valid') ?? null });
  for (const [name, bytes] of files) {
    mkdirSync(dirname(join(out, name)), { recursive: true });
    writeFileSync(join(out, name), bytes);
  }
  process.stderr.write(`lab: wrote a PyTorch project for ${runs.length} run(s) to ${out}: see ${join(out, 'README.md')} (accelerate launch ${join(out, 'train.py')})\n`);
}

function runPaths(given: unknown): string[] {
  const list = Array.isArray(given) ? (given as string[]) : typeof given === 'string' ? [given] : [];
  if (list.length === 0) throw new CliError('give --run: a run folder (train --out) or a run configuration JSON');
  return list.flatMap((p) => {
    if (!existsSync(p)) throw new CliError(`--run ${p} does not exist`);
    if (!statSync(p).isDirectory() || existsSync(join(p, RUN_CONFIG_FILE))) return [p];
    const inner = readdirSync(p).map((n) => join(p, n)).filter((d) => existsSync(join(d, RUN_CONFIG_FILE)));
    if (inner.length === 0) throw new CliError(`--run ${p} holds no ${RUN_CONFIG_FILE} and no run folders`);
    return inner.sort();
  });
}

function runName(path: string): string {
  return basename(path).replace(/\.json$/, '');
}

function readJson(path: string): { file: string; json: unknown } {
  const file = statSync(path).isDirectory() ? join(path, RUN_CONFIG_FILE) : path;
  try {
    return { file, json: JSON.parse(readFileSync(file, 'utf8')) as unknown };
  } catch (error) {
    throw new CliError(`${file} is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** The model a run names, to read its config before the run itself can be validated against it. */
function modelOf(path: string): string {
  const { file, json } = readJson(path);
  const name = (json as { model?: unknown }).model;
  if (typeof name !== 'string' || !name) throw new CliError(`${file}: no "model" in the run configuration`);
  return name;
}

function readRun(path: string, model: EncoderConfig): RunConfig {
  const { file, json } = readJson(path);
  try {
    return parseRunConfig(json, model);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(`${file}: ${error.problems.join('; ')}`);
    throw error;
  }
}
