/**
 * `compare`: the thesis-style results table of a set of run folders — one row per configuration, seeds as mean ±
 * std, the trainable parameters and the validation metric — as an aligned table, Markdown, LaTeX or CSV.
 */
import { basename, resolve } from 'node:path';
import { PRESETS, type EncoderConfig } from '../../engine/model/config';
import { parsePeftConfig } from '../../engine/peft/parse';
import { methodLabel } from '../../engine/report/method_label';
import { renderTable, resultsTable, type RunResult, type TableFormat } from '../../engine/report/results_table';
import { metricValue } from '../../engine/train/events';
import { parseRecipe } from '../../engine/train/run_config';
import { readTask } from '../../engine/train/task';
import { RUN_CONFIG_FILE } from '../adapter_dir';
import { FlagReader, parseFlags } from '../args';
import { CliError } from '../errors';
import { checkWritableFile, writeFileAtomic } from '../out_dir';
import { readRunConfigJson, readRunMetrics, reportSkipped } from '../run_folder';

export const COMPARE_HELP = `npm run lab -- compare DIR... [--format table|markdown|latex|csv] [--out FILE]
  The results table of run folders (train --out, or an exported project's out/ with its ${RUN_CONFIG_FILE}), in the
  thesis' shape: method, a note naming the settings that set the row apart, trainable parameters (count and % of
  the model) and the best validation metric (MRR; a classification run's chosen metric) in %. Runs that differ only
  by seed are one row: mean ± std over the seeds (population std, as numpy).
  --format F          table (default), markdown, latex (booktabs) or csv
  --out FILE          write the table there instead of printing it`;

const FLAGS = { format: { type: 'string' }, out: { type: 'string' } } as const;

/** Method names need only each method's fields; a wide shape accepts any layer list a run used. */
const LABEL_SHAPE: EncoderConfig = { ...PRESETS['microsoft/codebert-base'], layers: 48 };

export function compare(argv: readonly string[]): void {
  const parsed = parseFlags(argv, FLAGS, 'compare', true);
  const f = new FlagReader(parsed, 'compare');
  const dirs = parsed.positionals;
  if (dirs.length === 0) throw new CliError('compare: give one or more run folders (train --out)');
  const format = f.oneOf('format', ['table', 'markdown', 'latex', 'csv'], 'table') as TableFormat;
  const out = f.string('out');
  if (out) checkWritableFile(out, '--out');
  const text = renderTable(resultsTable(dirs.map(runResult)), format);
  if (out) {
    writeFileAtomic(out, text);
    process.stderr.write(`lab: wrote the table of ${dirs.length} run(s) to ${out}\n`);
  } else process.stdout.write(text);
}

function runResult(dir: string): RunResult {
  const config = readRunConfigJson(dir);
  if (!config) throw new CliError(`${dir} has no ${RUN_CONFIG_FILE}: give a run's output folder`);
  const summary = readRunMetrics(dir);
  const problems: string[] = [];
  const task = readTask(config.task, 'task', problems);
  let recipe;
  try {
    recipe = parseRecipe(config.recipe ?? {}, null);
  } catch (error) {
    throw new CliError(`${dir}/${RUN_CONFIG_FILE}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (problems.length > 0) throw new CliError(`${dir}/${RUN_CONFIG_FILE}: ${problems.join('; ')}`);
  reportSkipped(dir, summary);
  const metric = task.kind === 'classification' ? task.bestMetric : 'mrr';
  const { seed: _seed, ...rest } = recipe;
  return {
    name: basename(resolve(dir)),
    method: label(config.peft),
    task,
    recipe,
    groupKey: JSON.stringify({ model: config.model, dataset: config.dataset, task, peft: config.peft, recipe: rest }),
    trainable: summary.trainable,
    metric,
    best: summary.best ? metricValue(summary.best, metric) : null,
  };
}

/** The thesis-style method name; the method types when the configuration does not parse as the lab's. */
function label(peft: unknown): string {
  try {
    return methodLabel(parsePeftConfig(peft, LABEL_SHAPE));
  } catch {
    const methods = (peft as { methods?: { type?: unknown }[] } | null)?.methods;
    return Array.isArray(methods) ? methods.map((m) => String(m?.type ?? '?')).join(' + ') : '?';
  }
}
