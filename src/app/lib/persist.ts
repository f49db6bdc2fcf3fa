/**
 * Runs and their curves in IndexedDB (raw API, two object stores keyed by run id), so they survive reloads.
 * Every function resolves even when storage is unavailable (private windows, quota): the lab then works
 * without persistence and says so once.
 */
import type { RunCurves, RunRecord } from './run_types';

const DB_NAME = 'webgpu-finetuning-lab';
const VERSION = 1;
const RUNS = 'runs';
const CURVES = 'curves';

let opened: Promise<IDBDatabase | null> | null = null;

function open(): Promise<IDBDatabase | null> {
  opened ??= new Promise((resolve) => {
    if (typeof indexedDB === 'undefined') return resolve(null);
    const request = indexedDB.open(DB_NAME, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(RUNS)) db.createObjectStore(RUNS, { keyPath: 'id' });
      if (!db.objectStoreNames.contains(CURVES)) db.createObjectStore(CURVES, { keyPath: 'id' });
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

export async function loadAll(): Promise<{ runs: RunRecord[]; curves: RunCurves[] }> {
  const db = await open();
  if (!db) return { runs: [], curves: [] };
  const [runs, curves] = await Promise.all([getAll<RunRecord>(db, RUNS), getAll<RunCurves>(db, CURVES)]);
  return { runs: runs.sort((a, b) => a.createdAt - b.createdAt), curves };
}
