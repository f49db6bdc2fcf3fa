/**
 * Shard sources from the local file system, for the CLI and for tests. Kept out of index.ts: the rest of the
 * data module runs in a page and in a Worker, where `node:fs` does not exist.
 */

import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { DataError, type ShardSource } from './types';

/** A file on disk: streamed in 1 MiB chunks for text formats, read by range for Parquet. */
export async function sourceFromPath(path: string): Promise<ShardSource> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new DataError(`${path} is not a file. Give the path of a .jsonl, .jsonl.gz, .json or .parquet file.`);
    size = info.size;
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError(`cannot open ${path} (${error instanceof Error ? error.message : String(error)}). Check the path.`);
  }
  return {
    name: basename(path),
    size,
    chunks: () => createReadStream(path, { highWaterMark: 1024 * 1024 }),
    read: async (start, end) => {
      const handle = await open(path, 'r');
      try {
        const bytes = new Uint8Array(Math.max(0, Math.min(end, size) - start));
        const { bytesRead } = await handle.read(bytes, 0, bytes.byteLength, start);
        return bytes.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    },
  };
}
