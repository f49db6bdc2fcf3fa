/** `import-run`: reads a run folder's metrics.jsonl + run_config.json (a cluster run or the lab's own) and summarizes it. */
import { FlagReader, parseFlags } from '../args';
import { RUN_CONFIG_FILE } from '../adapter_dir';
import { readRunConfigJson, readRunMetrics, reportSkipped } from '../run_folder';

export const IMPORT_RUN_HELP = `npm run lab -- import-run --run DIR
  Checks a run folder (metrics.jsonl and ${RUN_CONFIG_FILE}, as train --out and an exported project's out/ write)
  and prints its summary as JSON: steps, best and final MRR, trainable parameters, skipped lines. The dashboard's
  "Import a cluster run" reads the same files into the runs table.`;

const FLAGS = { run: { type: 'string' } } as const;

export function importRun(argv: readonly string[]): void {
  const f = new FlagReader(parseFlags(argv, FLAGS, 'import-run'), 'import-run');
  const dir = f.required('run');
  const summary = readRunMetrics(dir);
  const config = readRunConfigJson(dir) as RunSummaryConfig | null;
  reportSkipped(dir, summary);
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
