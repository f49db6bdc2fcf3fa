/**
 * Reactions that keep the Worker in step with the page: token-length statistics are requested for every ready
 * shard when the model or the sequence lengths change (debounced while a length is typed), the memory plan
 * when the configuration changes (memory_plan_client.ts), and share links in the address are applied when the page
 * opens or the hash changes.
 */
import { decodeShareHash } from '../lib/share';
import { send } from './worker_client';
import type { MemoryPlanAnswer } from '../worker/protocol';
import { selectValidCount } from './dataSlice';
import { MemoryPlanner, planRequestOf } from './memory_plan_client';
import { useLab, type LabState } from './store';

const requested = new Map<string, string>();
let timer: ReturnType<typeof setTimeout> | null = null;

function lengths(s: LabState): { code: number; nl: number } | null {
  const code = s.recipeDraft.codeLength;
  const nl = s.recipeDraft.nlLength;
  const ok = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 2 && v <= 4096;
  return ok(code) && ok(nl) ? { code, nl } : null;
}

function requestStatistics(): void {
  timer = null;
  const s = useLab.getState();
  const l = lengths(s);
  if (!s.model || !l) return;
  for (const shard of s.shards) {
    const key = `${s.model.name}|${l.code}/${l.nl}`;
    if (shard.status !== 'ready' || requested.get(shard.id) === key) continue;
    requested.set(shard.id, key);
    send({ type: 'shard-stats', id: shard.id, codeLength: l.code, nlLength: l.nl });
  }
}

const memoryPlanner = new MemoryPlanner((request) => send(request), (state) => useLab.getState().setMemoryPlan(state));

/** The Worker's memory plan (or the planner's error) for one request; stale ones are dropped. */
export function onMemoryPlan(message: MemoryPlanAnswer): void {
  memoryPlanner.answer(message);
}

export function applyShareHash(hash: string): void {
  const decoded = decodeShareHash(hash);
  if (!decoded) return;
  const state = useLab.getState();
  if (decoded.ok) state.applyShared(decoded.json);
  else state.setShareError(decoded.message);
}

export function installEffects(): void {
  useLab.subscribe((s, prev) => {
    // Cheap checks first: the store changes several times a second while a run trains.
    if (s.runConfig !== prev.runConfig || s.checkedModel !== prev.checkedModel || selectValidCount(s) !== selectValidCount(prev)) {
      memoryPlanner.update(planRequestOf(s));
    }
    if (s.model === prev.model && s.shards === prev.shards && s.recipeDraft === prev.recipeDraft) return;
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(requestStatistics, 250);
  });
  memoryPlanner.update(planRequestOf(useLab.getState()));
  applyShareHash(window.location.hash);
  window.addEventListener('hashchange', () => applyShareHash(window.location.hash));
}
