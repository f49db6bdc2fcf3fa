/**
 * The Origin Private File System, as the Worker uses it: folders by path, whole files written atomically, sizes.
 * A writable stream's data reaches the file only when the stream is closed (the File System spec; Chromium
 * writes a swap file and renames it), so a tab closed mid-write leaves the previous file whole. Every function
 * resolves to "nothing stored" where the browser has no OPFS (the lab then works without keeping anything).
 */

export async function opfsRoot(): Promise<FileSystemDirectoryHandle | null> {
  try {
    return typeof navigator !== 'undefined' && navigator.storage?.getDirectory ? await navigator.storage.getDirectory() : null;
  } catch {
    return null; // e.g. a private window, or storage disabled by the user
  }
}

/** The folder at `path` under the OPFS root; created when `create`, else null when absent. */
export async function folder(path: readonly string[], create: boolean): Promise<FileSystemDirectoryHandle | null> {
  let dir = await opfsRoot();
  for (const name of path) {
    if (!dir) return null;
    try {
      dir = await dir.getDirectoryHandle(name, { create });
    } catch {
      return null;
    }
  }
  return dir;
}

export async function writeWhole(dir: FileSystemDirectoryHandle, name: string, data: Blob | Uint8Array): Promise<void> {
  const handle = await dir.getFileHandle(name, { create: true });
  const stream = await handle.createWritable();
  try {
    await stream.write(data instanceof Uint8Array ? new Blob([data as Uint8Array<ArrayBuffer>]) : data);
    await stream.close();
  } catch (error) {
    await stream.abort().catch(() => undefined); // the file keeps its previous content
    throw error;
  }
}

export async function readFile(dir: FileSystemDirectoryHandle | null, name: string): Promise<File | null> {
  if (!dir) return null;
  try {
    return await (await dir.getFileHandle(name)).getFile();
  } catch {
    return null;
  }
}

export async function removeEntry(dir: FileSystemDirectoryHandle | null, name: string): Promise<void> {
  await dir?.removeEntry(name, { recursive: true }).catch(() => undefined);
}

/** The files directly in `dir` (subfolders are not followed). */
export async function filesIn(dir: FileSystemDirectoryHandle | null): Promise<File[]> {
  if (!dir) return [];
  const files: File[] = [];
  for await (const handle of dir.values()) if (handle.kind === 'file') files.push(await (handle as FileSystemFileHandle).getFile());
  return files;
}

/** Bytes held under `dir`, subfolders included. */
export async function bytesUnder(dir: FileSystemDirectoryHandle | null): Promise<number> {
  if (!dir) return 0;
  let total = 0;
  for await (const handle of dir.values()) {
    total += handle.kind === 'file' ? (await (handle as FileSystemFileHandle).getFile()).size : await bytesUnder(handle as FileSystemDirectoryHandle);
  }
  return total;
}
