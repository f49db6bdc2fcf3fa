/** A short, thesis-style name for a PEFT configuration: "LoRA-64 + Adapter-FFN-384 (layers 9–12)". */
import { moduleFor } from '../peft/registry';
import type { PeftConfig } from '../peft/types';

/** Layer lists are 0-based in configs and 1-based in the thesis' names (loFF_9-12 is layers 8..11). */
function layersText(layers: readonly number[]): string {
  const sorted = [...layers].sort((a, b) => a - b);
  const contiguous = sorted.every((l, i) => i === 0 || l === sorted[i - 1]! + 1);
  return contiguous && sorted.length > 1 ? `${sorted[0]! + 1}–${sorted.at(-1)! + 1}` : sorted.map((l) => l + 1).join(',');
}

export function methodLabel(peft: PeftConfig): string {
  const text = peft.methods.map((m) => moduleFor(m).shortName(m)).join(' + ');
  const layers = peft.layers ? ` (layers ${layersText(peft.layers)})` : '';
  return `${text}${layers}${peft.trainPooler ? ' + pooler' : ''}`;
}
