/** Store actions for cluster runs: download a run or a sweep as a PyTorch project, import a finished cluster run. */
import { PRESETS } from '../../engine/model/config';
import { projectZip, readClusterRun, type ProjectRun } from '../lib/cluster';
import { download } from '../lib/export_runs';
import { MAX_METRICS_BYTES } from '../../engine/train/metrics_file';
import { addImportedRun } from './runner';
import { useLab } from './store';

/** A run configuration is a few KiB; a megabyte leaves room for any sweep point. */
const MAX_CONFIG_BYTES = 1 << 20;

/** "train.jsonl (validation: valid.jsonl)" → the two shard names (a split's validation has no file of its own). */
export function dataFiles(dataset: string): { train: string; valid: string | null } {
  const m = /^(.*) \(validation: (.*)\)$/.exec(dataset);
  if (!m) return { train: dataset, valid: null };
  return { train: m[1]!, valid: /% split, seed/.test(m[2]!) ? null : m[2]! };
}

export function downloadProject(runs: readonly ProjectRun[]): void {
  const state = useLab.getState();
  const first = runs[0];
  if (!first) return;
  const name = first.config.model;
  const shape = Object.hasOwn(PRESETS, name) ? PRESETS[name as keyof typeof PRESETS] : state.model?.name === name ? state.model.config : null;
  if (!shape) return state.setNotice(`Load ${name} first: the project's starting values are made for its shape.`);
  try {
    const { train, valid } = dataFiles(first.config.dataset);
    const renamed = runs.map((r) => ({ name: r.name, config: { ...r.config, dataset: train } }));
    const zip = projectZip(renamed, shape, valid);
    download(`lab-project-${runs.length === 1 ? 'run' : `sweep-${runs.length}`}.zip`, zip, 'application/zip');
    state.setNotice(`Downloaded a PyTorch project for ${runs.length} run${runs.length === 1 ? '' : 's'}: unzip it, put ${train}${valid ? ` and ${valid}` : ''} beside it, and see its README for the accelerate launch lines.`);
  } catch (error) {
    state.setNotice(`Could not export the project: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Imports the metrics.jsonl + run_config.json of a run trained elsewhere; returns a message for the user. */
export async function importClusterRun(files: readonly File[]): Promise<string> {
  const metrics = files.find((f) => f.name.endsWith('.jsonl'));
  const config = files.find((f) => f.name.endsWith('.json'));
  if (!metrics || !config) return 'Choose both files of the run: metrics.jsonl and run_config.json (from its out/ folder).';
  // Sizes are checked before anything is read: a wrong or hostile file must not fill the page's memory.
  if (metrics.size > MAX_METRICS_BYTES) return `${metrics.name} is ${Math.round(metrics.size / 2 ** 20)} MiB, more than any run writes: is it the right file?`;
  if (config.size > MAX_CONFIG_BYTES) return `${config.name} is ${Math.round(config.size / 1024)} KiB, far more than a run configuration: is it the right file?`;
  const state = useLab.getState();
  try {
    const run = readClusterRun(await metrics.text(), await config.text(), state.model);
    const m = run.metrics;
    const seed = run.config.recipe.seed;
    addImportedRun(run.config, m.events, m.error, `cluster · seed ${seed}`);
    const skipped = m.skippedCount > 0 ? ` ${m.skippedCount} line(s) skipped (line ${m.skipped[0]!.line}: ${m.skipped[0]!.reason}).` : '';
    return `Imported a run of ${m.steps} steps${m.best ? `, best ${m.best.task === 'classification' ? `accuracy ${(m.best.accuracy * 100).toFixed(2)}` : `MRR ${(m.best.mrr * 100).toFixed(2)}`}%` : ''}${m.done ? '' : ' (it had not finished)'}.${skipped}`;
  } catch (error) {
    return `Could not import the run: ${error instanceof Error ? error.message : String(error)}`;
  }
}
