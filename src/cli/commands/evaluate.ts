/** `eval` and `embed`: the model (optionally with a trained adapter folder) over a shard. */
import { evaluateClassification } from '../../engine/eval/classification_eval';
import { embedAll, evaluateRetrieval } from '../../engine/eval/retrieval';
import { classificationScores } from '../../engine/train/events';
import type { ClassificationTask } from '../../engine/train/task';
import { writeNpz } from '../../engine/io/npy';
import { writeSafeTensors } from '../../engine/io/safetensors';
import type { RecipeSettings } from '../../engine/train/run_config';
import type { TrainableModel } from '../../engine/train/trainable_model';
import type { Runtime } from '../../engine/gpu/runtime';
import { readAdapterDir, type AdapterDir } from '../adapter_dir';
import { FlagReader, parseFlags } from '../args';
import { CliError } from '../errors';
import { evaluationModel, evaluationWeights, type EvaluationWeights } from '../evaluation_model';
import { loadModelDir } from '../model_dir';
import { checkWritableFile, writeFileAtomic } from '../out_dir';
import { RECIPE_FLAGS, recipeFromFlags } from '../recipe_flags';
import { GPU_FLAGS, GPU_HELP, loadShard, runtimeFromFlags, type LoadedShard } from '../setup';
import { loadLabelledShard } from '../task_flags';
import { atPrecision, WEIGHT_PRECISIONS, type WeightPrecision } from '../../engine/quant/precision';

const WEIGHTS_HELP = `  --weights P         the linear weights at f32 (default) | fp16 | int8 (per tensor, quantize_dynamic's default) |
                      int8-channel (per output channel), weight-only: computed as their dequantized f32 values;
                      eval adds the precision and the model's stored size to its JSON (docs/COMPRESSION.md)
  --activations A     f32 (default) | int8: every linear layer's input quantized to quint8 per call, as
                      torch.ao.quantization.quantize_dynamic computes (with --weights int8 or int8-channel; a model
                      folder or a full fine-tuning run, not an adapter: merge one first with lab export)`;

export const EVAL_HELP = `npm run lab -- eval --model DIR [--adapter DIR] --data FILE [--code-length N --nl-length N --pooling P ...]
  Prints JSON with the CodeXGLUE MRR (every example's code is a candidate for every query) and recall@1/5/10.
  --adapter is a folder written by \`train --out\` (or a peft LoRA folder); its run_config.json supplies the
  lengths and pooling the run used, unless flags override them. A classification run (its task in
  run_config.json) is evaluated with its head on FILE's labelled records (the run's fields and classes): accuracy,
  precision, recall, F1, macro-F1, AUC-ROC and the confusion matrix (docs/TASKS.md).
${WEIGHTS_HELP}
${GPU_HELP}`;

export const EMBED_HELP = `npm run lab -- embed --model DIR [--adapter DIR] --data FILE --out FILE
  Writes the code and query embeddings: FILE.npz (code.npy and query.npy, float32 (n, hidden)) or
  FILE.safetensors (tensors "code" and "query").
${WEIGHTS_HELP}
${GPU_HELP}`;

const FLAGS = { model: { type: 'string' }, adapter: { type: 'string' }, data: { type: 'string' }, out: { type: 'string' }, weights: { type: 'string' }, activations: { type: 'string' }, ...GPU_FLAGS, ...RECIPE_FLAGS } as const;

/**
 * --weights and --activations: the evaluation weights at that precision, whether linear inputs are quantized,
 * and what it reports (null at f32 when not asked).
 */
function withPrecision(f: FlagReader, weights: EvaluationWeights): { weights: EvaluationWeights; dynamic: boolean; report: Record<string, unknown> | null } {
  const asked = f.string('weights');
  const precision = (asked ?? 'f32') as WeightPrecision;
  if (!(WEIGHT_PRECISIONS as readonly string[]).includes(precision)) throw new CliError(`--weights must be one of ${WEIGHT_PRECISIONS.join(', ')} (got "${precision}")`);
  const dynamic = dynamicActivations(f, precision, weights);
  const shapes = new Map([...weights.plan.base, ...weights.plan.added].map((s) => [s.name, s.shape]));
  const q = atPrecision(weights.values, shapes, precision);
  const report = asked === undefined ? null : { weights: precision, ...(dynamic ? { activations: 'int8' } : {}), linear_bytes: q.linearBytes, model_bytes: q.modelBytes };
  return { weights: { ...weights, values: q.values }, dynamic, report };
}

function dynamicActivations(f: FlagReader, precision: WeightPrecision, weights: EvaluationWeights): boolean {
  const activations = f.oneOf('activations', ['f32', 'int8'], 'f32');
  if (activations === 'f32') return false;
  if (precision !== 'int8' && precision !== 'int8-channel') throw new CliError('--activations int8 is quantize_dynamic\'s int8 linear layer: give --weights int8 or int8-channel with it');
  if (weights.plan.added.length > 0) throw new CliError('--activations int8 quantizes the model\'s own linear layers: evaluate a model folder (or a full fine-tuning run); merge an adapter into one first (lab export --format merged)');
  return true;
}

interface Prepared {
  readonly report: Record<string, unknown> | null;
  readonly rt: Runtime;
  readonly tm: TrainableModel;
  readonly data: LoadedShard;
  readonly recipe: RecipeSettings;
}

async function prepare(argv: readonly string[], command: string): Promise<Prepared & { readonly f: FlagReader }> {
  const f = new FlagReader(parseFlags(argv, FLAGS, command), command);
  const model = loadModelDir(f.required('model'));
  const adapterPath = f.string('adapter');
  const adapter = adapterPath ? readAdapterDir(adapterPath, 'adapter', model.config) : null;
  const recipe = recipeFromFlags(f, model.config, adapter?.recipe ?? undefined);
  const data = await loadShard(f.required('data'), 'data', model.tokenizer, recipe.codeLength, recipe.nlLength);
  const { weights, dynamic, report } = withPrecision(f, evaluationWeights(model, adapter, `--adapter ${adapterPath}`, recipe.seed));
  const rt = await runtimeFromFlags(f);
  const tm = evaluationModel(rt, weights, recipe, dynamic);
  return { f, rt, tm, data, recipe, report };
}

/** `eval` of a classification run folder: its head on the file's labelled records, the run's classes. */
async function evaluateClassifier(f: FlagReader, model: ReturnType<typeof loadModelDir>, adapter: AdapterDir, task: ClassificationTask, adapterPath: string): Promise<void> {
  const recipe = recipeFromFlags(f, model.config, adapter.recipe ?? undefined);
  if (!task.classes) throw new CliError(`--adapter ${adapterPath}: its run_config.json names no classes (a run of this lab writes them): evaluate it with the run's own folder`);
  const data = await loadLabelledShard(f.required('data'), 'data', model.tokenizer, task, recipe.codeLength, task.classes);
  if (f.string('activations') === 'int8') throw new CliError('--activations int8 evaluates code search and embeddings; a classification head is not quantized yet');
  const { weights, report } = withPrecision(f, evaluationWeights(model, adapter, `--adapter ${adapterPath}`, recipe.seed, task.classes.length));
  const rt = await runtimeFromFlags(f);
  try {
    const { metrics } = await evaluateClassification(rt, evaluationModel(rt, weights, recipe), data, recipe.evalBatchSize);
    const out = { task: 'classification', classes: task.classes, ...classificationScores(metrics), ...report };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    rt.destroy();
  }
}

export async function evaluate(argv: readonly string[]): Promise<void> {
  const f = new FlagReader(parseFlags(argv, FLAGS, 'eval'), 'eval');
  const adapterPath = f.string('adapter');
  if (adapterPath) {
    const model = loadModelDir(f.required('model'));
    const adapter = readAdapterDir(adapterPath, 'adapter', model.config);
    if (adapter.task?.kind === 'classification') return evaluateClassifier(f, model, adapter, adapter.task, adapterPath);
  }
  const { rt, tm, data, recipe, report } = await prepare(argv, 'eval');
  try {
    const { metrics } = await evaluateRetrieval(rt, tm, data, recipe.evalBatchSize);
    const out = { mrr: metrics.mrr, recall_1: metrics.recall1, recall_5: metrics.recall5, recall_10: metrics.recall10, n: metrics.n, skipped: data.report.skipped, ...report };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    rt.destroy();
  }
}

export async function embed(argv: readonly string[]): Promise<void> {
  // The output is checked before any work: a missing folder is a message now, not after the embeddings.
  const f0 = new FlagReader(parseFlags(argv, FLAGS, 'embed'), 'embed');
  const target = f0.required('out');
  if (!/\.(npz|safetensors)$/.test(target)) throw new CliError(`embed: --out must end in .npz or .safetensors (got ${target})`);
  checkWritableFile(target);
  const { f, rt, tm, data, recipe } = await prepare(argv, 'embed');
  const out = f.required('out');
  try {
    const emb = await embedAll(rt, tm, data, recipe.evalBatchSize);
    const shape = [data.n, tm.model.hidden];
    const bytes = out.endsWith('.npz')
      ? writeNpz({ code: { data: emb.code, shape }, query: { data: emb.nl, shape } })
      : writeSafeTensors([
          { name: 'code', shape, data: emb.code },
          { name: 'query', shape, data: emb.nl },
        ]);
    writeFileAtomic(out, bytes);
    process.stderr.write(`lab: wrote ${data.n} code and ${data.n} query embeddings (${tm.model.hidden} floats each) to ${out}\n`);
  } finally {
    rt.destroy();
  }
}
