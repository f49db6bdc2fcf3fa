/**
 * The dashboard's side of "run it at scale": a run or a sweep as a zipped PyTorch project (the engine's
 * exportProject, the same files `lab export-run` writes), and a cluster run's metrics.jsonl + run_config.json
 * read back as a run.
 */
import { zipSync } from 'fflate';
import { exportProject } from '../../engine/export_run/project';
import type { EncoderConfig } from '../../engine/model/config';
import { PRESETS } from '../../engine/model/config';
import { ConfigError } from '../../engine/peft/fields';
import { parseMetrics, type MetricsSummary } from '../../engine/train/metrics_file';
import { parseRunConfig, type RunConfig } from '../../engine/train/run_config';

export interface ProjectRun {
  readonly name: string;
  readonly config: RunConfig;
}

/**
 * A zip of the project. The data references are the shard names the runs recorded (the dataset field), to be
 * copied next to the project; the model is the name the runs used (a Hub id downloads on the cluster).
 */
export function projectZip(runs: readonly ProjectRun[], model: EncoderConfig, valid: string | null): Uint8Array {
  const first = runs[0]!.config;
  const files = exportProject(runs.map((r) => ({ name: r.name, run: r.config })), model, { model: first.model, train: first.dataset || 'train.jsonl', valid });
  return zipSync(Object.fromEntries([...files].map(([name, bytes]) => [`lab-project/${name}`, bytes])), { level: 6 });
}

export interface ImportedRun {
  readonly config: RunConfig;
  readonly metrics: MetricsSummary;
}

/**
 * Reads the two files a run writes. The run configuration is validated against the model it names when the
 * lab knows its shape (a preset, or the loaded model), else against the loaded model's.
 */
export function readClusterRun(metricsText: string, configText: string, loaded: { readonly name: string; readonly config: EncoderConfig } | null): ImportedRun {
  let json: unknown;
  try {
    json = JSON.parse(configText) as unknown;
  } catch {
    throw new Error('run_config.json is not valid JSON');
  }
  const name = (json as { model?: unknown }).model;
  const shape = typeof name === 'string' && Object.hasOwn(PRESETS, name) ? PRESETS[name as keyof typeof PRESETS] : loaded?.config;
  if (!shape) throw new Error(`the run was trained on ${String(name)}: load that model first, so its configuration can be checked`);
  try {
    return { config: parseRunConfig(json, shape), metrics: parseMetrics(metricsText) };
  } catch (error) {
    if (error instanceof ConfigError) throw new Error(`run_config.json: ${error.problems.slice(0, 3).join('; ')}`);
    throw error;
  }
}
