/**
 * The lab's headless CLI: `npm run lab -- <command> [flags]`. The same engine as the browser, on Dawn.
 * User errors print one line and exit non-zero; only bugs print a stack trace.
 */
import { CliError } from './errors';
import { withPrintableStderr } from './terminal';
import { embed, EMBED_HELP, evaluate, EVAL_HELP } from './commands/evaluate';
import { exportRun, EXPORT_HELP } from './commands/export';
import { exportRunProject, EXPORT_RUN_HELP } from './commands/export_run';
import { importRun, IMPORT_RUN_HELP } from './commands/import_run';
import { compare, COMPARE_HELP } from './commands/compare';
import { methods, METHODS_HELP } from './commands/methods';
import { params, PARAMS_HELP } from './commands/params';
import { probe, PROBE_HELP } from './commands/probe';
import { prune, PRUNE_HELP } from './commands/prune';
import { quantize, QUANTIZE_EVAL_HELP, QUANTIZE_HELP, quantizeEval } from './commands/quantize';
import { train, TRAIN_HELP } from './commands/train';
import { describeError } from './setup';
import { ConfigError } from '../engine/peft/fields';
import { GpuError } from '../engine/gpu/errors';
import { StartingWeightsError } from '../engine/train/starting_weights';
import { TrainingDiverged } from '../engine/train/trainer';

const COMMANDS: Record<string, { run: (argv: readonly string[]) => void | Promise<void>; help: string }> = {
  train: { run: train, help: TRAIN_HELP },
  eval: { run: evaluate, help: EVAL_HELP },
  embed: { run: embed, help: EMBED_HELP },
  params: { run: params, help: PARAMS_HELP },
  methods: { run: methods, help: METHODS_HELP },
  export: { run: exportRun, help: EXPORT_HELP },
  'export-run': { run: exportRunProject, help: EXPORT_RUN_HELP },
  'import-run': { run: importRun, help: IMPORT_RUN_HELP },
  compare: { run: compare, help: COMPARE_HELP },
  probe: { run: probe, help: PROBE_HELP },
  prune: { run: prune, help: PRUNE_HELP },
  quantize: { run: quantize, help: QUANTIZE_HELP },
  'quantize-eval': { run: quantizeEval, help: QUANTIZE_EVAL_HELP },
};

const USAGE = `WebGPU fine-tuning lab — fine-tune CodeBERT-family encoders for code search.

usage: npm run lab -- <command> [flags]     (npm run lab -- <command> --help for its flags)

commands:
  train       fine-tune with a PEFT method and write metrics, the run config and the weights
  eval        MRR and recall@k of a model (and adapter) on a shard
  embed       write code and query embeddings (.npz or .safetensors)
  params      trainable parameters of a PEFT configuration (exact and the thesis' convention)
  methods     the PEFT methods and their fields, defaults and meaning
  export      a run's weights for peft, transformers (LoRA merged) or sentence-transformers
  export-run  a run or a sweep as a PyTorch project (transformers + peft + accelerate) for a cluster
  import-run  check and summarize a run's metrics.jsonl (a cluster run, or the lab's own)
  compare     the thesis-style results table of run folders (mean ± std over seeds; Markdown, LaTeX, CSV)
  probe       layer analysis: a linear probe per layer, and each layer's drift (CKA) after a run
  prune       one round of unstructured pruning (L1 or random, global or per tensor; rewind for lottery tickets)
  quantize    a model's int8 weights and scales as safetensors (quantize_dynamic's weights, per tensor or channel)
  quantize-eval  MRR and stored size at f32, fp16 and int8 (weight-only and with quantize_dynamic's activations)

try it with the bundled demo (a pre-trained tiny model and real standard-library code; no network needed):
  npm run lab -- train --model public/demo/model --config public/demo/quick_run.json --train public/demo/train.jsonl --valid public/demo/valid.jsonl --out runs/demo --steps 10 --warmup-steps 2 --software-gpu`;

/** Runs one CLI invocation; resolves to the exit code. User errors print one line on stderr. */
export async function runCli(argv: readonly string[]): Promise<number> {
  return withPrintableStderr(() => run(argv));
}

async function run(argv: readonly string[]): Promise<number> {
  try {
    return await dispatch(argv);
  } catch (error) {
    if (isUserError(error)) {
      process.stderr.write(`lab: ${describeError(error)}\n`);
      return error instanceof CliError ? error.exitCode : 1;
    }
    process.stderr.write(`lab: internal error (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 70;
  }
}

async function dispatch(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  const entry = COMMANDS[command];
  if (!entry) throw new CliError(`unknown command "${command}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${entry.help}\n`);
    return 0;
  }
  await entry.run(rest);
  return 0;
}

function isUserError(error: unknown): boolean {
  return error instanceof CliError || error instanceof ConfigError || error instanceof GpuError || error instanceof TrainingDiverged || error instanceof StartingWeightsError;
}

