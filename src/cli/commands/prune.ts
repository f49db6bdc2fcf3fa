/**
 * `prune`: one round of unstructured pruning of a model folder (or a full fine-tuning run's folder), as the
 * pruning paper does with torch.nn.utils.prune: L1 or random, global or per tensor, `--amount` of the weights
 * still unpruned; optionally rewound to other weights (the lottery ticket: the pre-trained model, or an earlier
 * checkpoint) with the new masks. Writes a model folder with the zeros in place and pruning_masks.safetensors;
 * `lab train --model` on it keeps the pruned weights at zero.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportMerged } from '../../engine/io/export';
import { parsePeftConfig } from '../../engine/peft/parse';
import { planPeft } from '../../engine/peft/plan';
import { fullMasks, maskWeights, PRUNABLE_SET_NAMES, PRUNABLE_SETS, type PrunableSet, type PruningMasks } from '../../engine/prune/masks';
import { encodeMasks, MASKS_FILE } from '../../engine/prune/masks_file';
import { pruneRound, seededUniform, sparsity, type PruneScope, type PruneSelection } from '../../engine/prune/select';
import { FlagReader, parseFlags } from '../args';
import { CliError } from '../errors';
import { checkOutDir, createOutDir } from '../out_dir';
import { copyTokenizer, loadModelDir, type LoadedModel } from '../model_dir';
import { readMasks } from '../pruning_masks';

export const PRUNE_HELP = `npm run lab -- prune --model DIR --amount P --out DIR [options]
  One round of unstructured pruning, as torch.nn.utils.prune does it: removes the fraction P of the weights that
  are still unpruned among every layer's attention query/key/value/output and FFN dense weights (biases,
  embeddings, LayerNorm and the pooler are kept). DIR is a model folder or a full fine-tuning run's --out; its
  ${MASKS_FILE}, when present, holds the earlier rounds. Writes OUT: the model folder with the pruned weights set
  to 0 (AutoModel.from_pretrained loads it) and ${MASKS_FILE} (BOOL per weight, true = kept). Training on OUT
  (lab train --model OUT) keeps the pruned weights at 0.
  --amount P          fraction of the remaining prunable weights to remove (e.g. 0.1 per lottery-ticket round)
  --selection S       l1 (smallest |w|, default) | random
  --scope S           global (across every prunable weight, default) | per-tensor (the paper's "layer-wise")
  --rewind-to DIR     write DIR's weights (e.g. the pre-trained model) with the new masks: the lottery ticket's rewind
  --seed N            the random selection's seed (default 1)
  --prunable SET      paper (attention q/k/v/output and FFN dense weights, default) | attention | ffn; a model
                      that has masks keeps its own set`;

const FLAGS = {
  model: { type: 'string' }, amount: { type: 'string' }, out: { type: 'string' }, selection: { type: 'string' },
  scope: { type: 'string' }, 'rewind-to': { type: 'string' }, seed: { type: 'string' }, prunable: { type: 'string' },
} as const;

function choice<T extends string>(f: FlagReader, flag: string, options: readonly T[], fallback: T): T {
  const v = f.string(flag) ?? fallback;
  if (!(options as readonly string[]).includes(v)) throw new CliError(`--${flag} must be one of ${options.join(', ')} (got "${v}")`);
  return v as T;
}

function writeFolder(out: string, model: LoadedModel, weights: ReadonlyMap<string, Float32Array>, masks: PruningMasks, metadata: Record<string, string>): string[] {
  const plan = planPeft(model.config, parsePeftConfig({ methods: [{ type: 'full' }] }, model.config));
  const files = exportMerged({ plan, trained: new Map(weights), base: model.weights, baseModel: model.name, ...(model.hfConfig ? { hfConfig: model.hfConfig } : {}) });
  const shapes = new Map(plan.base.map((s) => [s.name, s.shape]));
  files.set(MASKS_FILE, encodeMasks(masks, shapes, metadata));
  createOutDir(out);
  for (const [name, bytes] of files) writeFileSync(join(out, name), bytes);
  copyTokenizer(model.dir, out);
  return [...files.keys()];
}

/** --rewind-to must be the same architecture: every weight the same shape, so the masks fit it. */
function checkSameShape(model: LoadedModel, rewind: LoadedModel): void {
  const keys = ['layers', 'hidden', 'heads', 'intermediate', 'vocabSize', 'maxPositions', 'typeVocabSize'] as const;
  const differ = keys.filter((k) => model.config[k] !== rewind.config[k]).map((k) => `${k} ${model.config[k]} vs ${rewind.config[k]}`);
  const tensors = [...model.weights].filter(([name, v]) => rewind.weights.get(name)?.length !== v.length).map(([name]) => name);
  if (differ.length > 0 || tensors.length > 0) {
    const what = differ.length > 0 ? differ.join(', ') : `${tensors.length} weight(s) differ, e.g. ${tensors[0]}`;
    throw new CliError(`--rewind-to ${rewind.dir} is not the same architecture as --model ${model.dir} (${what}): rewind to the model this one was trained from`);
  }
}

export function prune(argv: readonly string[]): void {
  const f = new FlagReader(parseFlags(argv, FLAGS, 'prune'), 'prune');
  const amount = f.number('amount', NaN, 0, 1);
  if (Number.isNaN(amount)) throw new CliError('prune needs --amount (the fraction of the remaining weights to remove, e.g. 0.1)');
  const selection = choice<PruneSelection>(f, 'selection', ['l1', 'random'], 'l1');
  const scope = choice<PruneScope>(f, 'scope', ['global', 'per-tensor'], 'global');
  const seed = f.number('seed', 1, 0, 2 ** 32 - 1, true);
  const out = f.required('out');
  const model = loadModelDir(f.required('model'));
  const rewind = f.string('rewind-to') ? loadModelDir(f.required('rewind-to')) : null;
  if (rewind) checkSameShape(model, rewind);
  checkOutDir(out, { protect: [{ flag: 'model', dir: model.dir }, ...(rewind ? [{ flag: 'rewind-to', dir: rewind.dir }] : [])], resume: false, overwrite: false });
  const set = choice<PrunableSet>(f, 'prunable', PRUNABLE_SET_NAMES, 'paper');
  const masks = readMasks(model) ?? fullMasks(model.weights, PRUNABLE_SETS[set]);
  const before = [...masks].map(([name, mask]) => ({ values: model.weights.get(name)!, mask }));
  const was = sparsity(before);
  const removed = pruneRound(before, { selection, scope, amount }, seededUniform(seed));
  const now = sparsity(before);
  const kept = maskWeights(rewind ? rewind.weights : model.weights, masks);
  const meta = { sparsity: now.toFixed(6), round: `${selection} ${scope} ${amount}`, rewound_to: rewind?.name ?? '' };
  const files = writeFolder(out, model, kept, masks, meta);
  process.stderr.write(`lab: pruned ${removed.toLocaleString('en-US')} weights (${selection}, ${scope}): sparsity of the prunable weights ${(100 * was).toFixed(2)}% → ${(100 * now).toFixed(2)}%${rewind ? `, rewound to ${rewind.dir}` : ''}; wrote ${files.join(', ')} to ${out}\n`);
}
