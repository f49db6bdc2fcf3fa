/**
 * Shard sources for the browser and for tests. A `File` from an <input> or a drop is a Blob: it streams for
 * the text formats and slices for Parquet, without being read into memory first.
 */

import type { ShardSource } from './types';

/** A dropped or picked file (in a page or a Worker; Node 20 has Blob too). */
export function sourceFromBlob(blob: Blob, name = blob instanceof File ? blob.name : 'file'): ShardSource {
  return {
    name,
    size: blob.size,
    chunks: () => blob.stream(),
    read: async (start, end) => new Uint8Array(await blob.slice(start, end).arrayBuffer()),
  };
}

/** Bytes already in memory, served in chunks of `chunkSize` (tests use small sizes to cut records apart). */
export function sourceFromBytes(name: string, bytes: Uint8Array, chunkSize = 64 * 1024): ShardSource {
  if (!(chunkSize >= 1)) throw new RangeError(`chunkSize must be at least 1, got ${chunkSize}`);
  return {
    name,
    size: bytes.byteLength,
    chunks: async function* () {
      for (let i = 0; i < bytes.byteLength; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
    },
    read: async (start, end) => bytes.subarray(start, end),
  };
}
