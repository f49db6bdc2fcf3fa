/**
 * Pruning masks on disk: `pruning_masks.safetensors` beside a model's weights, one BOOL tensor per pruned weight
 * (true = kept), shaped as the weight and named as the lab names it (`encoder.layer.0.attention.self.query.weight`,
 * transformers' RobertaModel names) — what torch.nn.utils.prune.custom_from_mask takes. Metadata records the
 * sparsity and how the masks were made.
 */
import { readSafeTensors, writeSafeTensors } from '../io/safetensors';
import { PAPER_PRUNABLE, type PruningMasks } from './masks';

export const MASKS_FILE = 'pruning_masks.safetensors';

export function encodeMasks(masks: PruningMasks, shapes: ReadonlyMap<string, readonly number[]>, metadata: Record<string, string>): Uint8Array {
  const tensors = [...masks].map(([name, data]) => {
    const shape = shapes.get(name);
    if (!shape) throw new Error(`no shape for the pruning mask of "${name}"`);
    return { name, shape, data };
  });
  return writeSafeTensors(tensors, metadata);
}

export class MasksFileError extends Error {
  constructor(what: string, message: string) {
    super(`${what}: ${message}`);
    this.name = 'MasksFileError';
  }
}

/** Reads masks and checks each against the model: a prunable weight it has, one entry per weight, BOOL. */
export function decodeMasks(bytes: Uint8Array, what: string, weights: ReadonlyMap<string, Float32Array>): Map<string, Uint8Array> {
  const file = readSafeTensors(bytes, what);
  const out = new Map<string, Uint8Array>();
  for (const [name, t] of file.tensors) {
    const values = weights.get(name);
    if (t.dtype !== 'BOOL') throw new MasksFileError(what, `the mask of "${name}" is ${t.dtype}; masks are BOOL tensors`);
    if (!values || !PAPER_PRUNABLE.test(name)) throw new MasksFileError(what, `"${name}" is not a prunable weight of this model (masks cover attention and FFN dense weights)`);
    if (t.data.length !== values.length) throw new MasksFileError(what, `the mask of "${name}" has ${t.data.length} entries; the weight has ${values.length}`);
    out.set(name, Uint8Array.from(t.data));
  }
  return out;
}
