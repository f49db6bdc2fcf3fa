/** `import-run`: reads a run folder's metrics.jsonl + run_config.json (a cluster run or the lab's own) and summarizes it. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_METRICS_BYTES, parseMetrics } from '../../engine/train/metrics_file';
import { FlagReader, parseFlags } from '../args';
import { CliError } from '../errors';
import { RUN_CONFIG_FILE } from '../adapter_dir';

export const IMPORT_RUN_HELP = `npm run lab -- import-run --run DIR
  Checks a run folder (metrics.jsonl and ${RUN_CONFIG_FILE}, as train --out and an exported project's out/ write)
  and prints its summary as JSON: steps, best and final MRR, trainable parameters, skipped lines. The dashboard's
  "Import a cluster run" reads the same files into the runs table.`;

const FLAGS = { run: { type: 'string' } } as const;

export function importRun(argv: readonly string[]): void {
  const f = new FlagReader(parseFlags(argv, FLAGS, 'import-run'), 'import-run');
  const dir = f.required('run');
  const metricsPath = join(dir, 'metrics.jsonl');
  if (!existsSync(metricsPath)) throw new CliError(`${dir} has no metrics.jsonl: give a run's output folder`);
  if (statSync(metricsPath).size > MAX_METRICS_BYTES) throw new CliError(`${metricsPath} is larger than any run writes (${MAX_METRICS_BYTES / 2 ** 20} MiB)`);
  let summary: ReturnType<typeof parseMetrics>;
  try {
    summary = parseMetrics(readFileSync(metricsPath, 'utf8'));
  } catch (error) {
    throw new CliError(`${metricsPath}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const configPath = join(dir, RUN_CONFIG_FILE);
  const config = existsSync(configPath) ? readConfig(configPath) : null;
  for (const s of summary.skipped) process.stderr.write(`lab: ${metricsPath}:${s.line}: skipped (${s.reason})\n`);
  const pick = (e: typeof summary.best): Record<string, unknown> | null => {
    if (!e) return null;
    if (e.task === 'classification') return { step: e.step, accuracy: e.accuracy, f1: e.f1, macro_f1: e.macro_f1, auc: e.auc };
    return { step: e.step, mrr: e.mrr, recall_1: e.recall_1, recall_5: e.recall_5, recall_10: e.recall_10 };
  };
  process.stdout.write(`${JSON.stringify({
    model: typeof config?.model === 'string' ? config.model : null,
    methods: Array.isArray(config?.peft?.methods) ? config.peft.methods.map((m) => (typeof m?.type === 'string' ? m.type : '?')) : null,
    steps: summary.steps,
    total_steps: summary.totalSteps,
    done: summary.done,
    error: summary.error,
    trainable: summary.trainable?.exact ?? null,
    best: pick(summary.best),
    final: pick(summary.final),
    losses: summary.events.filter((e) => e.type === 'step').slice(0, 3).map((e) => (e.type === 'step' ? e.loss : 0)),
    skipped_lines: summary.skippedCount,
  })}\n`);
}

interface RunSummaryConfig {
  readonly model?: unknown;
  readonly peft?: { readonly methods?: readonly { readonly type?: unknown }[] };
}

function readConfig(path: string): RunSummaryConfig {
  if (statSync(path).size > 1 << 20) throw new CliError(`${path} is larger than any run configuration (1 MiB): is it the right file?`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    throw new CliError(`${path} is not valid JSON (${error instanceof Error ? error.message : String(error)}): is it the run's configuration?`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new CliError(`${path} is not a run configuration (expected a JSON object)`);
  return json as RunSummaryConfig;
}
