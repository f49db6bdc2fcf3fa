/**
 * The matmul tuning table in localStorage, one entry per adapter (keyed by its description): a table measured
 * on another GPU says nothing about this one, so it is never loaded for it. A stored entry that no longer
 * parses (an older build's tile names) is dropped rather than trusted. Storage that throws (private windows,
 * quota) only means the table lasts until the page closes.
 */
import { parseMatmulTuning, type MatmulTuning } from '../../engine/kernels/matmul_tiles';
import type { MatmulTuneSummary } from '../worker/protocol';

export interface SavedTuning {
  readonly tuning: MatmulTuning;
  readonly summary: MatmulTuneSummary;
}

const PREFIX = 'lab.matmulTuning:';

export function tuningStorageKey(adapter: string): string {
  return PREFIX + adapter;
}

function isSummary(x: unknown): x is MatmulTuneSummary {
  if (typeof x !== 'object' || x === null) return false;
  const s = x as Record<string, unknown>;
  return typeof s.shapes === 'number' && typeof s.faster === 'number' && typeof s.maxSpeedup === 'number' && typeof s.date === 'string';
}

export function loadTuning(storage: Storage | undefined, adapter: string): SavedTuning | null {
  try {
    const raw = storage?.getItem(tuningStorageKey(adapter));
    if (!raw) return null;
    const json = JSON.parse(raw) as { tuning?: unknown; summary?: unknown };
    const tuning = parseMatmulTuning(json.tuning, 'the stored tuning');
    if (tuning.adapter !== adapter || !isSummary(json.summary)) throw new Error('not this adapter’s table');
    return { tuning, summary: json.summary };
  } catch {
    clearTuning(storage, adapter);
    return null;
  }
}

export function saveTuning(storage: Storage | undefined, saved: SavedTuning): void {
  try {
    storage?.setItem(tuningStorageKey(saved.tuning.adapter), JSON.stringify(saved));
  } catch {
    // Kept in memory for this page only.
  }
}

export function clearTuning(storage: Storage | undefined, adapter: string): void {
  try {
    storage?.removeItem(tuningStorageKey(adapter));
  } catch {
    // Nothing stored, nothing to clear.
  }
}

/** "12 of 31 matmul shapes faster with another tile, up to 1.8×" */
export function tuningSummaryText(s: MatmulTuneSummary): string {
  if (s.faster === 0) return `None of the ${s.shapes} matmul shapes is faster with another tile: runs keep the default.`;
  return `${s.faster} of ${s.shapes} matmul shapes faster with another tile, up to ${s.maxSpeedup.toFixed(1)}×.`;
}
