/** The pruning masks a model folder carries (pruning_masks.safetensors, written by `lab prune`), checked against it. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMasks, MASKS_FILE } from '../engine/prune/masks_file';
import { CliError } from './errors';
import type { LoadedModel } from './model_dir';

/** The folder's masks, or null when it has none (nothing pruned). */
export function readMasks(model: LoadedModel): Map<string, Uint8Array> | null {
  const path = join(model.dir, MASKS_FILE);
  if (!existsSync(path)) return null;
  try {
    return decodeMasks(new Uint8Array(readFileSync(path)), path, model.weights);
  } catch (error) {
    throw new CliError(`${error instanceof Error ? error.message : String(error)}: make the masks again with lab prune, or remove the file to train without pruning`);
  }
}
