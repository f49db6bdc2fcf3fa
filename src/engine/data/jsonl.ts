/**
 * JSON Lines, streaming. Lines are split on the byte 0x0A before decoding: UTF-8 never uses that byte inside a
 * multi-byte character, so a character cut by a chunk boundary is rejoined with its line, and only the
 * unfinished last line of a chunk is carried over. Each line is decoded and parsed on its own, so one bad line
 * costs one record.
 */

import { concatBytes, isJsonSpace, shortMessage } from './bytes';

/** One record as parsed, or why it could not be; `line` is 1-based and counts blank lines. */
export type RawRecord = { readonly line: number; readonly value: unknown } | { readonly line: number; readonly error: string };

/** A longer line is dropped (and reported) instead of growing memory without bound: binary garbage has few newlines. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

const decoder = new TextDecoder('utf-8', { fatal: true });

function isBlank(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.byteLength; i++) if (!isJsonSpace(bytes[i] ?? 0)) return false;
  return true;
}

/** Decodes and parses one record's bytes. */
export function parseRecord(bytes: Uint8Array, line: number): RawRecord {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return { line, error: 'not valid UTF-8 text' };
  }
  try {
    return { line, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { line, error: `not valid JSON (${shortMessage(error)})` };
  }
}

function tooLong(line: number): RawRecord {
  return { line, error: `longer than ${MAX_RECORD_BYTES / (1024 * 1024)} MiB (is this really JSON Lines?)` };
}

/**
 * Records of a JSON Lines byte stream, one batch per chunk (a generator step per record would cost more than
 * the parsing). Blank lines are not records and are passed over.
 */
export async function* jsonlRecords(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<RawRecord[]> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let oversized = false;
  let line = 0;
  for await (const chunk of chunks) {
    const batch: RawRecord[] = [];
    let start = 0;
    for (let newline = chunk.indexOf(0x0a); newline >= 0; newline = chunk.indexOf(0x0a, start)) {
      line++;
      const piece = chunk.subarray(start, newline);
      start = newline + 1;
      if (oversized) batch.push(tooLong(line));
      else {
        const bytes = pending.length === 0 ? piece : concatBytes([...pending, piece]);
        if (!isBlank(bytes)) batch.push(parseRecord(bytes, line));
      }
      pending = [];
      pendingBytes = 0;
      oversized = false;
    }
    if (start < chunk.byteLength && !oversized) {
      // A copy: the producer may reuse its chunk buffer once we return control.
      pending.push(chunk.slice(start));
      pendingBytes += chunk.byteLength - start;
      if (pendingBytes > MAX_RECORD_BYTES) {
        oversized = true;
        pending = [];
      }
    }
    if (batch.length > 0) yield batch;
  }
  if (oversized) yield [tooLong(line + 1)];
  else if (pendingBytes > 0) {
    const bytes = concatBytes(pending);
    if (!isBlank(bytes)) yield [parseRecord(bytes, line + 1)];
  }
}
