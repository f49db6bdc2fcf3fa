/** `export`: a trained run's weights in the form another library loads (peft, a merged model, sentence-transformers). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { exportMerged, exportSentenceTransformers, exportTrained, type ExportInput } from '../../engine/io/export';
import { parsePeftConfig } from '../../engine/peft/parse';
import { planPeft } from '../../engine/peft/plan';
import { DEFAULT_RECIPE } from '../../engine/train/run_config';
import { readAdapterDir } from '../adapter_dir';
import { FlagReader, parseFlags } from '../args';
import { CliError } from '../errors';
import { copyTokenizer, loadModelDir } from '../model_dir';

export const EXPORT_HELP = `npm run lab -- export --model DIR --adapter RUN_DIR --format FORMAT --out DIR
  Writes a run's weights (a train --out folder, or any adapter folder) for another library:
    peft                   the adapter as Hugging Face peft saves it (LoRA, or prefix-tuning as prompt_embeddings):
                           PeftModel.from_pretrained(model, DIR)
    merged                 a plain model folder with LoRA folded into the weights (peft's merge_and_unload) and
                           trained base weights swapped in: AutoModel.from_pretrained(DIR)
    sentence-transformers  the merged model plus Pooling (and the pooler as a Dense + tanh, Normalize when the
                           run L2-normalized): SentenceTransformer(DIR).encode(texts) gives the run's embeddings
  The tokenizer files of --model are copied along, so the folder loads on its own.`;

const FLAGS = { model: { type: 'string' }, adapter: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } } as const;
const FORMATS = ['peft', 'merged', 'sentence-transformers'] as const;

export function exportRun(argv: readonly string[]): void {
  const f = new FlagReader(parseFlags(argv, FLAGS, 'export'), 'export');
  const format = f.required('format');
  if (!(FORMATS as readonly string[]).includes(format)) throw new CliError(`--format must be one of ${FORMATS.join(', ')} (got "${format}")`);
  const out = f.required('out');
  const model = loadModelDir(f.required('model'));
  const run = readAdapterDir(f.required('adapter'), 'adapter', model.config);
  const peft = run.adapter?.peft ?? run.peft ?? parsePeftConfig({ methods: [{ type: 'full' }] }, model.config);
  const trained = new Map([...run.baseWeights, ...(run.adapter?.tensors ?? [])]);
  const input: ExportInput = { plan: planPeft(model.config, peft), trained, base: model.weights, baseModel: model.name, ...(model.hfConfig ? { hfConfig: model.hfConfig } : {}) };
  const recipe = run.recipe ?? DEFAULT_RECIPE;
  let files: Map<string, Uint8Array>;
  try {
    if (format === 'peft') {
      files = new Map([...exportTrained(input)].filter(([name]) => name.startsWith('adapter_')));
      if (files.size === 0) throw new Error('the run has no LoRA or prefix-tuning adapter to write in peft\'s format; try --format merged');
    } else if (format === 'merged') files = exportMerged(input);
    else files = exportSentenceTransformers(input, { pooling: recipe.pooling, normalize: recipe.normalize, maxSeqLength: recipe.codeLength });
  } catch (error) {
    throw new CliError(`export --format ${format}: ${error instanceof Error ? error.message : String(error)}`);
  }
  for (const [name, bytes] of files) {
    mkdirSync(dirname(join(out, name)), { recursive: true });
    writeFileSync(join(out, name), bytes);
  }
  if (format !== 'peft') copyTokenizer(model.dir, out);
  process.stderr.write(`lab: wrote ${[...files.keys()].join(', ')} to ${out}\n`);
}
