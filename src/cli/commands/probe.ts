/**
 * `probe`: Telly's layer analysis from the command line. Every layer's <s> (or mean) representation of a
 * labelled dataset, a linear probe per layer (held-out accuracy: what the layer encodes about the label), and,
 * with --run, the same for a fine-tuned run plus each layer's drift from the model (linear CKA).
 */
import { labelClasses, readShard, type Example, type LabelledSet } from '../../engine/data';
import { sourceFromPath } from '../../engine/data/node_source';
import { PROBE_DEFAULTS, studyLayers, type LayerStudy } from '../../engine/eval/layer_analysis';
import { layerRepresentations, type LayerPooling } from '../../engine/eval/layer_representations';
import { encodeExamples } from '../../engine/io/encode';
import { parseRecipe } from '../../engine/train/run_config';
import { readAdapterDir } from '../adapter_dir';
import { FlagReader, parseFlags } from '../args';
import { CliError } from '../errors';
import { evaluationModel, evaluationWeights, type EvaluationWeights } from '../evaluation_model';
import { loadModelDir } from '../model_dir';
import { checkWritableFile, writeFileAtomic } from '../out_dir';
import { GPU_FLAGS, GPU_HELP, runtimeFromFlags } from '../setup';

export const PROBE_HELP = `npm run lab -- probe --model DIR --data FILE --label-field F [--run DIR] [options]
  Layer analysis (Telly): each layer's representation of the labelled examples in FILE (JSONL / JSON / Parquet),
  a logistic-regression probe per layer trained on a seeded split and measured on the held-out part, and with
  --run (a \`train --out\` folder) the run's probes and each layer's linear CKA with the model (1: unchanged).
  Try it: --model public/demo/model --data public/sample/probe.jsonl --label-field syntactic_returns
  --text-field F      the field holding the code (default: code)
  --pooling P         mean (over the real tokens, default) or cls (the <s> state; the embeddings' is the
                      same for every input, so their probe only guesses the majority class)
  --length N          tokens per example, <s> and </s> included (default 128)
  --max-examples N    use the first N labelled records (default 1000)
  --held-out F        fraction held out to measure the probes (default ${PROBE_DEFAULTS.heldOut})
  --seed N            the split's seed (default ${PROBE_DEFAULTS.seed})
  --c C               the probes' inverse L2 strength, as scikit-learn's C (default ${PROBE_DEFAULTS.c})
  --batch N           examples per GPU batch (default 32)
  --json FILE         also write the numbers as JSON
${GPU_HELP}`;

const FLAGS = {
  model: { type: 'string' },
  data: { type: 'string' },
  run: { type: 'string' },
  'label-field': { type: 'string' },
  'text-field': { type: 'string' },
  pooling: { type: 'string' },
  length: { type: 'string' },
  'max-examples': { type: 'string' },
  'held-out': { type: 'string' },
  seed: { type: 'string' },
  c: { type: 'string' },
  batch: { type: 'string' },
  json: { type: 'string' },
  ...GPU_FLAGS,
} as const;

export async function probe(argv: readonly string[]): Promise<void> {
  const f = new FlagReader(parseFlags(argv, FLAGS, 'probe'), 'probe');
  const model = loadModelDir(f.required('model'));
  const pooling = f.string('pooling') ?? 'mean';
  if (pooling !== 'cls' && pooling !== 'mean') throw new CliError(`--pooling ${pooling}: use cls or mean`);
  const recipe = parseRecipe({ codeLength: f.number('length', 128, 3, 4096, true), nlLength: 3, evalBatchSize: f.number('batch', 32, 1, 4096, true) }, model.config);
  const options = { heldOut: f.number('held-out', PROBE_DEFAULTS.heldOut, 0.01, 0.9), seed: f.number('seed', PROBE_DEFAULTS.seed, 0, 2 ** 32 - 1, true), c: f.number('c', PROBE_DEFAULTS.c, 1e-6, 1e6) };
  const json = f.string('json');
  if (json) checkWritableFile(json, '--json');
  const { examples, labels } = await labelledData(f);
  const runPath = f.string('run');
  const run = runPath ? evaluationWeights(model, readAdapterDir(runPath, 'run', model.config), `--run ${runPath}`, 1) : null;
  const base = evaluationWeights(model, null, '--model', 1);
  const rt = await runtimeFromFlags(f);
  try {
    const ids = encodeExamples(examples, model.tokenizer, recipe.codeLength, recipe.nlLength).code;
    const layersOf = (w: EvaluationWeights): Promise<Float32Array[]> => layerRepresentations(rt, evaluationModel(rt, w, recipe), ids, examples.length, recipe.evalBatchSize, pooling);
    const before = await layersOf(base);
    const after = run ? await layersOf(run) : null;
    const study = studyLayers(before, after, model.config.hidden, labels, options);
    process.stdout.write(table(study, f.required('label-field'), pooling, runPath ?? null));
    if (json) writeFileAtomic(json, `${JSON.stringify({ data: f.required('data'), label: f.required('label-field'), pooling, ...study }, null, 2)}\n`);
  } finally {
    rt.destroy();
  }
}

async function labelledData(f: FlagReader): Promise<{ examples: Example[]; labels: LabelledSet }> {
  const path = f.required('data');
  const text = f.string('text-field') ?? 'code';
  const label = f.required('label-field');
  const max = f.number('max-examples', 1000, 2, 1_000_000, true);
  // The query side is not used by a probe: it reads the same field, so the reader's pair logic is unchanged.
  const { examples: all, report } = await readShard(await sourceFromPath(path), { mapping: { code: text, query: text, label } }).catch((error: unknown) => {
    throw new CliError(`--data ${path}: ${error instanceof Error ? error.message : String(error)}`);
  });
  if (report.skipped > 0) process.stderr.write(`lab: ${path}: skipped ${report.skipped} record(s) (${report.firstSkipped.map((s) => `line ${s.line}: ${s.reason}`).join('; ')})\n`);
  const examples = all.slice(0, max);
  try {
    return { examples, labels: labelClasses(examples, `--data ${path}`) };
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error));
  }
}

function table(r: LayerStudy, label: string, pooling: LayerPooling, run: string | null): string {
  const pct = (v: number): string => `${(100 * v).toFixed(1).padStart(6)}%`;
  const classes = r.classes.map((c, i) => `${JSON.stringify(c)} ×${r.counts[i]}`).join(', ');
  const lines = [
    `probe of "${label}" on ${r.examples} examples (${classes}), ${Math.round(r.options.heldOut * 100)}% held out; ${pooling === 'cls' ? '<s> state' : 'mean over tokens'}; majority class ${pct(r.majority).trim()}`,
    run ? `layer   model acc   run acc   CKA(model, run)   (run: ${run})` : 'layer   held-out acc   train acc',
  ];
  for (const l of r.layers) {
    const name = (l.layer === 0 ? 'emb' : String(l.layer)).padEnd(5);
    const warn = l.model.converged && (l.run?.converged ?? true) ? '' : '  (a probe did not converge)';
    // A layer whose representation is the same for every input (the embeddings' <s>) has no CKA: 0/0.
    const cka = l.cka === undefined || Number.isNaN(l.cka) ? '       —' : l.cka.toFixed(4).padStart(8);
    lines.push(run ? `${name}   ${pct(l.model.accuracy)}    ${pct(l.run!.accuracy)}   ${cka}${warn}` : `${name}   ${pct(l.model.accuracy)}        ${pct(l.model.trainAccuracy)}${warn}`);
  }
  return `${lines.join('\n')}\n`;
}
