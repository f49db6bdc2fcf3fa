/**
 * Byte-stream plumbing shared by the format readers: one async-iterator shape for every input, a peek at the
 * first bytes (format detection), streaming gunzip through the platform's `DecompressionStream`, and the
 * small helpers that messages need.
 */

import { type ByteChunks, DataError } from './types';

function isReadableStream(chunks: ByteChunks): chunks is ReadableStream<Uint8Array> {
  return typeof (chunks as ReadableStream<Uint8Array>).getReader === 'function';
}

function checkChunk(value: unknown): Uint8Array {
  // A Node stream opened with an encoding yields strings; decoding must stay ours (line splitting is on bytes).
  if (!(value instanceof Uint8Array)) throw new TypeError('shard chunks must be Uint8Array (open the stream without an encoding)');
  return value;
}

/** Every input as one async generator; stopping early cancels a ReadableStream so its file is released. */
export async function* iterateChunks(chunks: ByteChunks): AsyncGenerator<Uint8Array> {
  if (!isReadableStream(chunks)) {
    for await (const value of chunks) if (checkChunk(value).byteLength > 0) yield value;
    return;
  }
  const reader = chunks.getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (checkChunk(value).byteLength > 0) yield value;
    }
    finished = true;
  } finally {
    // Cancel only when the consumer stopped early or the read failed; a finished stream needs nothing.
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

export function concatBytes(pieces: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let total = 0;
  for (const p of pieces) total += p.byteLength;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of pieces) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

export interface Peeked {
  /** The first chunks joined; `chunks` yields them again, so nothing is consumed. */
  readonly head: Uint8Array;
  readonly chunks: AsyncGenerator<Uint8Array>;
  /** Releases the input when `chunks` will not be read (a generator never started cannot clean up itself). */
  close(): Promise<void>;
}

/** Reads chunks until `enough(head)` holds or the input ends. */
export async function peek(chunks: AsyncGenerator<Uint8Array>, enough: (head: Uint8Array) => boolean): Promise<Peeked> {
  const pieces: Uint8Array[] = [];
  let head = new Uint8Array(0);
  let ended = false;
  while (!enough(head)) {
    const next = await chunks.next();
    if (next.done === true) {
      ended = true;
      break;
    }
    pieces.push(next.value);
    head = concatBytes(pieces);
  }
  async function* replay(): AsyncGenerator<Uint8Array> {
    try {
      if (head.byteLength > 0) yield head;
      if (ended) return;
      for (;;) {
        const next = await chunks.next();
        if (next.done === true) return;
        yield next.value;
      }
    } finally {
      await chunks.return(undefined);
    }
  }
  const close = async (): Promise<void> => {
    await chunks.return(undefined);
  };
  return { head, chunks: replay(), close };
}

/** Streaming gunzip; a corrupt or cut-short stream becomes a DataError naming the file. */
export async function* gunzip(chunks: AsyncGenerator<Uint8Array>, what: string): AsyncGenerator<Uint8Array> {
  // Errors of the source itself (a failing disk read) pass through unchanged; only decoder errors are ours.
  let sourceError: unknown = null;
  const compressed = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await chunks.next();
        if (next.done === true) controller.close();
        else controller.enqueue(next.value);
      } catch (error) {
        sourceError = error;
        throw error;
      }
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
  const plain = compressed.pipeThrough(new DecompressionStream('gzip') as ReadableWritablePair<Uint8Array, Uint8Array>);
  try {
    yield* iterateChunks(plain);
  } catch (error) {
    if (error === sourceError || error instanceof DataError) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new DataError(`${what}: the gzip data is corrupt or cut short (${detail}). Download the file again.`);
  }
}

/** `7b 22 63 6f` — the first bytes of a file, for messages. */
export function hexBytes(bytes: Uint8Array, count = 8): string {
  return [...bytes.subarray(0, count)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

export function isJsonSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** A JSON.parse or decoder message cut to a readable length (V8 quotes the text around the error). */
export function shortMessage(error: unknown, max = 120): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
