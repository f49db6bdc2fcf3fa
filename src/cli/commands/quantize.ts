/**
 * `quantize`: a model's int8 weights as quantize_dynamic makes them, written as model.int8.safetensors (the
 * documented layout of engine/quant/int8_file.ts) beside config.json and the tokenizer. `quantize-eval`: one
 * model evaluated at every precision the lab computes — f32, fp16, int8 weights per tensor and per channel,
 * each int8 also with quantize_dynamic's quantized activations — as a table of metric and stored size.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeInt8Model, INT8_FILE } from '../../engine/quant/int8_file';
import { precisionTable, signedPoints, type PrecisionRow } from '../../engine/quant/precision_table';
import { trainerConfig } from '../../engine/train/run_config';
import { readAdapterDir } from '../adapter_dir';
import { FlagReader, parseFlags } from '../args';
import { CliError } from '../errors';
import { evaluationWeights, type EvaluationWeights } from '../evaluation_model';
import { copyTokenizer, loadModelDir } from '../model_dir';
import { checkOutDir, createOutDir } from '../out_dir';
import { RECIPE_FLAGS, recipeFromFlags } from '../recipe_flags';
import { GPU_FLAGS, GPU_HELP, loadShard, runtimeFromFlags } from '../setup';

export const QUANTIZE_HELP = `npm run lab -- quantize --model DIR [--adapter RUN_DIR] [--weights int8|int8-channel] --out DIR
  Writes OUT/${INT8_FILE}: every linear weight of the encoder and the pooler as int8 (I8, out × in) with its
  float32 scales as "<name>.scale" ([1] per tensor, quantize_dynamic's default; [out] with int8-channel), zero
  points 0; every other parameter float32. With config.json and the tokenizer (docs/COMPRESSION.md).
  --adapter           a full fine-tuning run's folder (its weights); merge an adapter first (lab export --format merged)`;

export const QUANTIZE_EVAL_HELP = `npm run lab -- quantize-eval --model DIR [--adapter RUN_DIR] --data FILE [--json] [recipe flags]
  Evaluates the model at f32, fp16, int8 and int8-channel weights, each int8 also with its linear inputs
  quantized as quantize_dynamic does, and prints MRR and the stored size per precision (--json: one object).
${GPU_HELP}`;

const OUT_FLAGS = { model: { type: 'string' }, adapter: { type: 'string' }, weights: { type: 'string' }, out: { type: 'string' } } as const;
const EVAL_FLAGS = { model: { type: 'string' }, adapter: { type: 'string' }, data: { type: 'string' }, json: { type: 'boolean' }, ...GPU_FLAGS, ...RECIPE_FLAGS } as const;

/** The model's own weights (a model folder or a full fine-tuning run): an adapter has tensors int8 does not cover. */
function plainWeights(f: FlagReader): { model: ReturnType<typeof loadModelDir>; weights: EvaluationWeights } {
  const model = loadModelDir(f.required('model'));
  const path = f.string('adapter');
  const run = path ? readAdapterDir(path, 'adapter', model.config) : null;
  const weights = evaluationWeights(model, run, `--adapter ${path}`, 0);
  if (weights.plan.added.length > 0) throw new CliError(`--adapter ${path} adds modules to the model: merge it into a model folder first (lab export --format merged), then quantize that`);
  return { model, weights };
}

export function quantize(argv: readonly string[]): void {
  const f = new FlagReader(parseFlags(argv, OUT_FLAGS, 'quantize'), 'quantize');
  const granularity = f.oneOf('weights', ['int8', 'int8-channel'], 'int8') === 'int8' ? 'per-tensor' : 'per-channel';
  const out = f.required('out');
  const { model, weights } = plainWeights(f);
  checkOutDir(out, { protect: [{ flag: 'model', dir: model.dir }], resume: false, overwrite: false });
  const shapes = new Map(weights.plan.base.map((s) => [s.name, s.shape]));
  const base = new Map(weights.plan.base.map((s) => [s.name, weights.values.get(s.name)!]));
  const bytes = encodeInt8Model(base, shapes, granularity);
  createOutDir(out);
  writeFileSync(join(out, INT8_FILE), bytes);
  if (model.hfConfig) writeFileSync(join(out, 'config.json'), `${JSON.stringify(model.hfConfig, null, 2)}\n`);
  copyTokenizer(model.dir, out);
  const f32 = [...base.values()].reduce((n, v) => n + 4 * v.length, 0);
  process.stderr.write(`lab: wrote ${INT8_FILE} (${granularity} scales): ${bytes.length.toLocaleString('en-US')} bytes, ${(f32 / bytes.length).toFixed(2)}× smaller than the float32 weights (${f32.toLocaleString('en-US')} bytes); config.json and the tokenizer to ${out}\n`);
}

function table(rows: readonly PrecisionRow[]): string {
  const base = rows[0]!;
  const head = 'weights       activations     MRR    ΔMRR   R@1   linear bytes   model bytes';
  const lines = rows.map((r) => {
    return `${r.weights.padEnd(13)} ${r.activations.padEnd(11)} ${(100 * r.mrr).toFixed(2).padStart(7)} ${signedPoints(r.mrr - base.mrr).padStart(7)} ${(100 * r.recall_1).toFixed(1).padStart(5)} ${r.linear_bytes.toLocaleString('en-US').padStart(14)} ${r.model_bytes.toLocaleString('en-US').padStart(13)}`;
  });
  return `${[head, ...lines].join('\n')}\n`;
}

export async function quantizeEval(argv: readonly string[]): Promise<void> {
  const f = new FlagReader(parseFlags(argv, EVAL_FLAGS, 'quantize-eval'), 'quantize-eval');
  const { model, weights } = plainWeights(f);
  const path = f.string('adapter');
  const recipe = recipeFromFlags(f, model.config, path ? (readAdapterDir(path, 'adapter', model.config).recipe ?? undefined) : undefined);
  const data = await loadShard(f.required('data'), 'data', model.tokenizer, recipe.codeLength, recipe.nlLength);
  const rt = await runtimeFromFlags(f);
  try {
    const rows = await precisionTable(rt, weights.plan, weights.values, trainerConfig(recipe, weights.peft), data);
    process.stdout.write(f.bool('json') ? `${JSON.stringify({ n: data.n, rows })}\n` : table(rows));
  } finally {
    rt.destroy();
  }
}
