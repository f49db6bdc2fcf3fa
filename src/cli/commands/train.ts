/** `train`: fine-tune on a shard with a PEFT configuration; write metrics.jsonl, the run config and the weights. */
import { mkdirSync, openSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { exportTrained } from '../../engine/io/export';
import { LORA_DEFAULTS } from '../../engine/peft/lora';
import { planPeft } from '../../engine/peft/plan';
import type { TrainerEvent } from '../../engine/train/events';
import { trainerConfig, type RunConfig } from '../../engine/train/run_config';
import { startingWeights } from '../../engine/train/starting_weights';
import { runTraining } from '../../engine/train/trainer';
import { readAdapterDir, RUN_CONFIG_FILE } from '../adapter_dir';
import { FlagReader, parseFlags } from '../args';
import { CliError } from '../errors';
import { copyTokenizer, loadModelDir } from '../model_dir';
import { readPeftConfig } from '../peft_file';
import { RECIPE_FLAGS, RECIPE_HELP, recipeFromFlags } from '../recipe_flags';
import { GPU_FLAGS, GPU_HELP, loadShard, runtimeFromFlags } from '../setup';

export const TRAIN_HELP = `npm run lab -- train --model DIR --train FILE [--valid FILE] --out DIR [options]
  Fine-tunes the model for code search (CodeXGLUE recipe) and writes OUT/metrics.jsonl (one JSON event per
  line), OUT/${RUN_CONFIG_FILE} and the trained weights (the best-MRR weights when --valid is given): LoRA as a
  peft adapter (adapter_config.json + adapter_model.safetensors), other modules in the lab's format
  (lab_peft.json + lab_adapter.safetensors), trained base weights as a model folder (config.json +
  model.safetensors + the tokenizer files).
  --peft-config FILE  a peft adapter_config.json (LoRA) or the lab's JSON (docs/PEFT_CONFIG.md); default LoRA with peft's defaults (r=${LORA_DEFAULTS.r}, alpha=${LORA_DEFAULTS.alpha}, ${LORA_DEFAULTS.targets.join(' and ')}; npm run lab -- methods lists every field)
  --init DIR          start from a saved adapter or model folder (a previous --out)
${GPU_HELP}
${RECIPE_HELP}`;

const FLAGS = {
  model: { type: 'string' },
  train: { type: 'string' },
  valid: { type: 'string' },
  out: { type: 'string' },
  'peft-config': { type: 'string' },
  init: { type: 'string' },
  ...GPU_FLAGS,
  ...RECIPE_FLAGS,
} as const;

export async function train(argv: readonly string[]): Promise<void> {
  const f = new FlagReader(parseFlags(argv, FLAGS, 'train'), 'train');
  const out = f.required('out');
  const model = loadModelDir(f.required('model'));
  const init = f.string('init') ? readAdapterDir(f.string('init')!, 'init', model.config) : null;
  if (init?.adapter && f.string('peft-config')) throw new CliError('give --peft-config or --init with an adapter, not both: the adapter brings its configuration');
  const peft = init?.adapter?.peft ?? readPeftConfig(f.string('peft-config'), model.config);
  const recipe = recipeFromFlags(f, model.config, init?.recipe ?? undefined);
  const trainSet = await loadShard(f.required('train'), 'train', model.tokenizer, recipe.codeLength, recipe.nlLength);
  const validPath = f.string('valid');
  const valid = validPath ? await loadShard(validPath, 'valid', model.tokenizer, recipe.codeLength, recipe.nlLength) : null;
  const plan = planPeft(model.config, peft);
  const start = startingWeights(plan, { base: model.weights, trained: init?.baseWeights, adapter: init?.adapter ? { tensors: init.adapter.tensors, name: `--init ${f.string('init')}` } : null }, recipe.seed);
  process.stderr.write(`lab: ${start.report.text}\n`);
  const initial = start.values;
  mkdirSync(out, { recursive: true });
  const run: RunConfig = { model: model.name, dataset: f.required('train'), peft, recipe };
  writeFileSync(join(out, RUN_CONFIG_FILE), `${JSON.stringify(run, null, 2)}\n`);
  const metrics = openSync(join(out, 'metrics.jsonl'), 'w');
  const rt = await runtimeFromFlags(f);
  try {
    const result = await runTraining(rt, plan, initial, trainerConfig(recipe, peft), { train: trainSet, valid }, (e) => {
      writeSync(metrics, `${JSON.stringify(e)}\n`);
      report(e);
    });
    const trained = result.best ?? result.final;
    const files = exportTrained({ plan: result.model.plan, trained, base: initial, baseModel: model.name, ...(model.hfConfig ? { hfConfig: model.hfConfig } : {}) });
    for (const [name, bytes] of files) writeFileSync(join(out, name), bytes);
    if (files.has('model.safetensors')) copyTokenizer(model.dir, out);
    process.stderr.write(`lab: wrote ${[...files.keys(), 'metrics.jsonl', RUN_CONFIG_FILE].join(', ')} to ${out}${result.best ? ' (the best-MRR weights)' : ''}\n`);
  } finally {
    closeSync(metrics);
    rt.destroy();
  }
}

function report(e: TrainerEvent): void {
  if (e.type === 'start') process.stderr.write(`lab: ${e.examples} examples, ${e.total_steps} steps, ${e.trainable.exact.toLocaleString('en-US')} trainable parameters (${e.trainable.percentExact.toFixed(2)}%)\n`);
  else if (e.type === 'step' && (e.step % 10 === 0 || e.step === 1)) process.stderr.write(`step ${e.step}  loss ${e.loss.toFixed(4)}  lr ${e.lr.toExponential(2)}  grad_norm ${e.grad_norm.toFixed(3)}  ${Math.round(e.tokens_per_s)} tok/s\n`);
  else if (e.type === 'eval') process.stderr.write(`eval @ ${e.step}  MRR ${e.mrr.toFixed(4)}  R@1 ${e.recall_1.toFixed(3)}  R@5 ${e.recall_5.toFixed(3)}  R@10 ${e.recall_10.toFixed(3)}${e.best ? '  (best)' : ''}\n`);
  else if (e.type === 'error') process.stderr.write(`lab: ${e.message}\n`);
}
