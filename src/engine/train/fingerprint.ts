/**
 * What a continued run must share with the run that saved the checkpoint — the model's shape, the method, the
 * recipe, what it started from and the data — in the CLI (`--resume`) and the page ("Resume") alike. Compared
 * key by key (checkpoint.ts fingerprintDifferences), so a refusal names what changed.
 */
import type { EncodedSet } from '../eval/retrieval';
import type { EncoderConfig } from '../model/config';
import type { PeftConfig } from '../peft/types';
import type { RunFingerprint } from './checkpoint';
import type { RecipeSettings } from './run_config';
import type { TaskConfig } from './task';

/** `init`: what the run started from besides the model (the CLI's resolved --init path, the page's adapter name). */
export function runFingerprint(model: EncoderConfig, peft: PeftConfig, recipe: RecipeSettings, init: string | null, data: { train: EncodedSet; valid: EncodedSet | null }, task: TaskConfig | null = null): RunFingerprint {
  // Code search leaves the task out, so checkpoints written before tasks existed still match.
  const taskPart = task && task.kind !== 'code-search' ? { task } : {};
  return { model, peft, recipe, init, ...taskPart, train: dataPrint(data.train), valid: data.valid ? dataPrint(data.valid) : null };
}

/** Size and FNV-1a hash of the tokenized pairs (and labels): a different or reordered file is noticed, a moved one is not. */
function dataPrint(set: EncodedSet): { n: number; hash: string } {
  let h = 0x811c9dc5;
  for (const ids of [set.code, set.nl, set.labels ?? new Uint32Array(0)]) for (let i = 0; i < ids.length; i++) h = Math.imul(h ^ ids[i]!, 0x01000193) >>> 0;
  return { n: set.n, hash: h.toString(16).padStart(8, '0') };
}
