/**
 * A JSON array of records (`[ {...}, {...} ]`, as CoSQA ships), streaming. A small scanner follows strings and
 * bracket depth to find where each top-level element ends, then parses that element alone: the file is never
 * one string, and one malformed element costs one record. Commas between elements are not checked; the
 * elements themselves are parsed strictly. A record is located by the line its first byte is on.
 */

import { concatBytes, isJsonSpace } from './bytes';
import { MAX_RECORD_BYTES, parseRecord, type RawRecord } from './jsonl';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const NEWLINE = 0x0a;

type Phase = 'before' | 'between' | 'element' | 'after';

/** Scanner state that survives chunk boundaries. */
class ArrayScanner {
  phase: Phase = 'before';
  line = 1;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private pieces: Uint8Array[] = [];
  private pieceBytes = 0;
  private oversized = false;
  private elementLine = 0;
  private elementStart = 0;
  trailingLine = 0;

  /** Scans one chunk, returning the records it completed. */
  scan(chunk: Uint8Array): RawRecord[] {
    const done: RawRecord[] = [];
    this.elementStart = 0;
    for (let i = 0; i < chunk.byteLength; i++) {
      const b = chunk[i] ?? 0;
      if (this.phase === 'element') {
        const end = this.step(b);
        if (end === 'inclusive' || end === 'exclusive') {
          done.push(this.finish(chunk.subarray(this.elementStart, end === 'inclusive' ? i + 1 : i)));
          if (end === 'exclusive' && b === CLOSE_BRACKET) this.phase = 'after';
        }
      } else if (this.phase === 'between') {
        if (b === CLOSE_BRACKET) this.phase = 'after';
        else if (b !== COMMA && !isJsonSpace(b)) this.begin(i, b);
      } else if (this.phase === 'before') {
        if (b === OPEN_BRACKET) this.phase = 'between';
      } else if (!isJsonSpace(b) && this.trailingLine === 0) this.trailingLine = this.line;
      if (b === NEWLINE) this.line++;
    }
    if (this.phase === 'element') this.keep(chunk.subarray(this.elementStart));
    return done;
  }

  private begin(at: number, b: number): void {
    this.phase = 'element';
    this.elementStart = at;
    this.elementLine = this.line;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.step(b);
  }

  /** Advances over one element byte; says whether the element ended with it (inclusive) or before it. */
  private step(b: number): 'inclusive' | 'exclusive' | null {
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (b === BACKSLASH) this.escaped = true;
      else if (b === QUOTE) this.inString = false;
      return this.inString || this.depth > 0 ? null : 'inclusive';
    }
    if (b === QUOTE) this.inString = true;
    else if (b === OPEN_BRACE || b === OPEN_BRACKET) this.depth++;
    else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
      // A closer at depth 0 ends a bare element (`[1, 2]`) and belongs to the array.
      if (this.depth === 0) return 'exclusive';
      this.depth--;
      return this.depth === 0 ? 'inclusive' : null;
    } else if (b === COMMA && this.depth === 0) return 'exclusive';
    return null;
  }

  private keep(piece: Uint8Array): void {
    if (this.oversized) return;
    this.pieces.push(piece.slice());
    this.pieceBytes += piece.byteLength;
    if (this.pieceBytes > MAX_RECORD_BYTES) {
      this.oversized = true;
      this.pieces = [];
    }
  }

  private finish(last: Uint8Array): RawRecord {
    const line = this.elementLine;
    const oversized = this.oversized || this.pieceBytes + last.byteLength > MAX_RECORD_BYTES;
    const bytes = oversized || this.pieces.length === 0 ? last : concatBytes([...this.pieces, last]);
    this.pieces = [];
    this.pieceBytes = 0;
    this.oversized = false;
    this.phase = 'between';
    if (oversized) return { line, error: `longer than ${MAX_RECORD_BYTES / (1024 * 1024)} MiB` };
    return parseRecord(bytes, line);
  }

  /** What is left when the input ends: an unfinished element, or a note about the array's end. */
  end(): { record: RawRecord | null; warning: string | null } {
    if (this.phase === 'element') {
      // A bare number as the last element ends at the end of input; anything else was cut short.
      const bytes = concatBytes(this.pieces);
      const record = this.inString || this.depth > 0 || this.oversized
        ? { line: this.elementLine, error: 'the file ends inside this record (was it cut short?)' }
        : parseRecord(bytes, this.elementLine);
      return { record, warning: "the file ends before the array's closing ] (was it cut short?)" };
    }
    if (this.phase !== 'after') return { record: null, warning: "the file ends before the array's closing ] (was it cut short?)" };
    if (this.trailingLine > 0) return { record: null, warning: `text after the array's closing ] (line ${this.trailingLine}) was ignored` };
    return { record: null, warning: null };
  }
}

/** Records of a JSON array byte stream, one batch per chunk; file-level problems are appended to `warnings`. */
export async function* jsonArrayRecords(chunks: AsyncIterable<Uint8Array>, warnings: string[]): AsyncGenerator<RawRecord[]> {
  const scanner = new ArrayScanner();
  for await (const chunk of chunks) {
    const batch = scanner.scan(chunk);
    if (batch.length > 0) yield batch;
  }
  const { record, warning } = scanner.end();
  if (warning !== null) warnings.push(warning);
  if (record !== null) yield [record];
}
