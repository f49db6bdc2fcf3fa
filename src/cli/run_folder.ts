/** A run folder's records as written by `train --out` or an exported project: metrics.jsonl and run_config.json. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_METRICS_BYTES, parseMetrics, type MetricsSummary } from '../engine/train/metrics_file';
import { RUN_CONFIG_FILE } from './adapter_dir';
import { CliError } from './errors';

/** metrics.jsonl of a run folder, checked for size and parsed (reportSkipped tells the user what was skipped). */
export function readRunMetrics(dir: string): MetricsSummary {
  const path = join(dir, 'metrics.jsonl');
  if (!existsSync(path)) throw new CliError(`${dir} has no metrics.jsonl: give a run's output folder`);
  if (statSync(path).size > MAX_METRICS_BYTES) throw new CliError(`${path} is larger than any run writes (${MAX_METRICS_BYTES / 2 ** 20} MiB)`);
  let summary: MetricsSummary;
  try {
    summary = parseMetrics(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CliError(`${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return summary;
}

/** The lines of a run folder's metrics.jsonl that were skipped, on stderr (after everything that can fail). */
export function reportSkipped(dir: string, summary: MetricsSummary): void {
  for (const s of summary.skipped) process.stderr.write(`lab: ${join(dir, 'metrics.jsonl')}:${s.line}: skipped (${s.reason})\n`);
}

/** run_config.json of a run folder as JSON (null when absent); a file no run writes is refused. */
export function readRunConfigJson(dir: string): Record<string, unknown> | null {
  const path = join(dir, RUN_CONFIG_FILE);
  if (!existsSync(path)) return null;
  if (statSync(path).size > 1 << 20) throw new CliError(`${path} is larger than any run configuration (1 MiB): is it the right file?`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    throw new CliError(`${path} is not valid JSON (${error instanceof Error ? error.message : String(error)}): is it the run's configuration?`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new CliError(`${path} is not a run configuration (expected a JSON object)`);
  return json as Record<string, unknown>;
}
