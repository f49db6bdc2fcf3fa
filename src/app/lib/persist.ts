/**
 * Runs and their curves in IndexedDB (raw API, two object stores keyed by run id), so they survive reloads.
 * Every function resolves even when storage is unavailable (private windows, quota): the lab then works
 * without persistence and says so once.
 */
import type { RunCurves, RunRecord } from './run_types';
import { sortStored, type SortedRuns } from './stored_runs';

const DB_NAME = 'webgpu-finetuning-lab';
const VERSION = 2;
const RUNS = 'runs';
const CURVES = 'curves';
/** Stored values that were not readable runs, moved here (not deleted) so nothing of the user's is lost. */
const QUARANTINE = 'quarantine';

let opened: Promise<IDBDatabase | null> | null = null;

function open(): Promise<IDBDatabase | null> {
  opened ??= new Promise((resolve) => {
    if (typeof indexedDB === 'undefined') return resolve(null);
    const request = indexedDB.open(DB_NAME, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(RUNS)) db.createObjectStore(RUNS, { keyPath: 'id' });
      if (!db.objectStoreNames.contains(CURVES)) db.createObjectStore(CURVES, { keyPath: 'id' });
      if (!db.objectStoreNames.contains(QUARANTINE)) db.createObjectStore(QUARANTINE, { autoIncrement: true });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => resolve(null);
    request.onblocked = () => resolve(null);
  });
  return opened;
}

function done(tx: IDBTransaction): Promise<boolean> {
  return new Promise((resolve) => {
    tx.oncomplete = () => resolve(true);
    tx.onerror = () => resolve(false);
    tx.onabort = () => resolve(false);
  });
}

export async function persistenceAvailable(): Promise<boolean> {
  return (await open()) !== null;
}

export async function saveRun(run: RunRecord, curves?: RunCurves): Promise<boolean> {
  const db = await open();
  if (!db) return false;
  const tx = db.transaction([RUNS, CURVES], 'readwrite');
  tx.objectStore(RUNS).put(run);
  if (curves) tx.objectStore(CURVES).put(curves);
  return done(tx);
}

export async function deleteRun(id: string): Promise<boolean> {
  const db = await open();
  if (!db) return false;
  const tx = db.transaction([RUNS, CURVES], 'readwrite');
  tx.objectStore(RUNS).delete(id);
  tx.objectStore(CURVES).delete(id);
  return done(tx);
}

function getAll<T>(db: IDBDatabase, store: string): Promise<T[]> {
  return new Promise((resolve) => {
    const request = db.transaction(store, 'readonly').objectStore(store).getAll();
    request.onsuccess = () => resolve(request.result as T[]);
    request.onerror = () => resolve([]);
  });
}

/**
 * Every stored run the page can show, with its curves; values that are not readable runs are moved to the
 * quarantine store (kept, not shown) and counted, so the page can say so instead of failing to draw.
 */
export async function loadAll(): Promise<{ runs: RunRecord[]; curves: RunCurves[]; setAside: number }> {
  const db = await open();
  if (!db) return { runs: [], curves: [], setAside: 0 };
  const [runs, curves] = await Promise.all([getAll<unknown>(db, RUNS), getAll<unknown>(db, CURVES)]);
  const sorted = sortStored(runs, curves);
  if (sorted.unreadable.length > 0) await quarantine(db, sorted.unreadable);
  return { runs: sorted.runs, curves: sorted.curves, setAside: sorted.unreadable.length };
}

async function quarantine(db: IDBDatabase, bad: SortedRuns['unreadable']): Promise<void> {
  const tx = db.transaction([RUNS, QUARANTINE], 'readwrite');
  for (const { value, problem } of bad) {
    tx.objectStore(QUARANTINE).put({ value, problem, at: Date.now() });
    // The store's keyPath is `id`, so every stored value has one, whatever else is wrong with it.
    tx.objectStore(RUNS).delete((value as { id: IDBValidKey }).id);
  }
  await done(tx);
}
