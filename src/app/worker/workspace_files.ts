/**
 * The workspace's bytes in OPFS, kept by the Worker so a reload finds them: the dropped model folder
 * (`workspace/model/`), each dropped shard (`workspace/shards/<id>/<name>`) and each run's checkpoint
 * (`checkpoints/<run id>.safetensors`, the CLI's format). The page keeps the list of what the workspace holds
 * (lib/workspace.ts); the Worker only stores, reads, measures and frees the files.
 */
import type { StorageReport } from './protocol';
import { bytesUnder, filesIn, folder, opfsRoot, readFile, removeEntry, writeWhole } from './opfs';

const WORKSPACE = 'workspace';
const MODEL = [WORKSPACE, 'model'];
const SHARDS = [WORKSPACE, 'shards'];
const CHECKPOINTS = ['checkpoints'];

/** Replaces the stored model folder with these files (written one by one; the folder is cleared first). */
export async function storeModelFiles(files: readonly File[]): Promise<void> {
  await removeEntry(await folder([WORKSPACE], false), 'model');
  const dir = await folder(MODEL, true);
  if (!dir) return;
  for (const file of files) await writeWhole(dir, file.name, file);
}

export async function storedModelFiles(): Promise<File[]> {
  return filesIn(await folder(MODEL, false));
}

export async function storeShardFile(id: string, file: File): Promise<void> {
  const dir = await folder([...SHARDS, id], true);
  if (dir) await writeWhole(dir, file.name, file);
}

export async function storedShardFile(id: string): Promise<File | null> {
  return (await filesIn(await folder([...SHARDS, id], false)))[0] ?? null;
}

export async function forgetShardFile(id: string): Promise<void> {
  await removeEntry(await folder(SHARDS, false), id);
}

const checkpointName = (runId: string): string => `${runId}.safetensors`;

export async function storeCheckpoint(runId: string, bytes: Uint8Array): Promise<void> {
  const dir = await folder(CHECKPOINTS, true);
  if (!dir) throw new Error('this browser gives the page no private file system (OPFS), so checkpoints cannot be kept');
  await writeWhole(dir, checkpointName(runId), bytes);
}

export async function storedCheckpoint(runId: string): Promise<Uint8Array | null> {
  const file = await readFile(await folder(CHECKPOINTS, false), checkpointName(runId));
  return file ? new Uint8Array(await file.arrayBuffer()) : null;
}

export async function forgetCheckpoint(runId: string): Promise<void> {
  await removeEntry(await folder(CHECKPOINTS, false), checkpointName(runId));
}

export async function forgetAllCheckpoints(): Promise<void> {
  await removeEntry(await opfsRoot(), CHECKPOINTS[0]!);
}

/** Forgets the stored model and shards (what is loaded now stays loaded until the page closes). */
export async function forgetWorkspaceFiles(): Promise<void> {
  await removeEntry(await opfsRoot(), WORKSPACE);
}

/** What the lab keeps in this browser, and the origin's usage and quota as the browser reports them. */
export async function storageReport(): Promise<StorageReport> {
  const root = await opfsRoot();
  const checkpointDir = await folder(CHECKPOINTS, false);
  const checkpoints = (await filesIn(checkpointDir)).filter((f) => f.name.endsWith('.safetensors')).map((f) => ({ runId: f.name.slice(0, -'.safetensors'.length), bytes: f.size }));
  const estimate = await navigator.storage?.estimate?.().catch(() => null);
  return {
    available: root !== null,
    modelBytes: await bytesUnder(await folder(MODEL, false)),
    shardBytes: await bytesUnder(await folder(SHARDS, false)),
    checkpoints,
    usage: estimate?.usage ?? null,
    quota: estimate?.quota ?? null,
  };
}
