/**
 * Pruning masks on a model: which weights are prunable (the paper's set: every layer's attention query, key,
 * value and output dense weights and both FFN dense weights; biases, embeddings, LayerNorm, the pooler and
 * any PEFT tensor are never pruned), and the base weights with the pruned entries zeroed.
 */

/** The pruning paper's prunable set (docs: what is pruned). */
export const PAPER_PRUNABLE = /^encoder\.layer\.\d+\.(attention\.self\.(query|key|value)|attention\.output\.dense|intermediate\.dense|output\.dense)\.weight$/;

/** The prunable sets a user picks from: the paper's (default), or only its attention or only its FFN weights. */
export const PRUNABLE_SETS = {
  paper: PAPER_PRUNABLE,
  attention: /^encoder\.layer\.\d+\.(attention\.self\.(query|key|value)|attention\.output\.dense)\.weight$/,
  ffn: /^encoder\.layer\.\d+\.(intermediate\.dense|output\.dense)\.weight$/,
} as const;

export type PrunableSet = keyof typeof PRUNABLE_SETS;
export const PRUNABLE_SET_NAMES = Object.keys(PRUNABLE_SETS) as PrunableSet[];

export function prunableNames(names: Iterable<string>, pattern: RegExp = PAPER_PRUNABLE): string[] {
  return [...names].filter((n) => pattern.test(n));
}

/** Masks by weight name: 1 kept, 0 pruned; one entry per weight. */
export type PruningMasks = ReadonlyMap<string, Uint8Array>;

/** A mask of all ones per prunable weight: nothing pruned yet. */
export function fullMasks(weights: ReadonlyMap<string, Float32Array>, pattern: RegExp = PAPER_PRUNABLE): Map<string, Uint8Array> {
  return new Map(prunableNames(weights.keys(), pattern).map((n) => [n, new Uint8Array(weights.get(n)!.length).fill(1)]));
}

/** The weights with every pruned entry set to 0 (new arrays for masked weights; the others are shared). */
export function maskWeights(weights: ReadonlyMap<string, Float32Array>, masks: PruningMasks): Map<string, Float32Array> {
  const out = new Map(weights);
  for (const [name, mask] of masks) {
    const values = weights.get(name);
    if (!values) throw new Error(`a pruning mask names "${name}", which the model does not have`);
    if (values.length !== mask.length) throw new Error(`the pruning mask of "${name}" has ${mask.length} entries for ${values.length} weights`);
    out.set(name, values.map((v, i) => (mask[i] === 1 ? v : 0)));
  }
  return out;
}
