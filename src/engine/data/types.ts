/**
 * Shared types of the shard reader. A shard is one dataset file (JSONL, JSONL.gz, a JSON array or Parquet);
 * reading it yields code/query pairs plus a report of every record that could not be used.
 */

/** One training or evaluation pair, as the encoder will see it. */
export interface Example {
  readonly code: string;
  readonly query: string;
  /**
   * Where the record starts, 1-based: the line in JSONL and JSON files (blank lines count), the row in Parquet.
   * Reports and error messages use the same number so a user can find the record.
   */
  readonly line: number;
  /** The record's identifier (`url`, `idx`, ...) when the mapping has one; numbers are written in decimal. */
  readonly id?: string;
  /** The record's class when the mapping names a label field (strings as they are; numbers and booleans as text). */
  readonly label?: string;
}

/** Which record fields hold the code and the query, and whether they are token lists or plain strings. */
export interface FieldMapping {
  readonly code: string;
  readonly query: string;
  /** Token lists are joined with single spaces, as CodeXGLUE's run.py does (`' '.join(code_tokens)`). */
  readonly codeIsTokens: boolean;
  readonly queryIsTokens: boolean;
  readonly id?: string;
  /** The field holding each record's class (classification and probing data). */
  readonly label?: string;
}

/**
 * Field names a user chose. Left-out token flags are read from the first records, so the UI only has to offer
 * field names.
 */
export interface FieldSelection {
  readonly code: string;
  readonly query: string;
  readonly codeIsTokens?: boolean;
  readonly queryIsTokens?: boolean;
  readonly id?: string;
  readonly label?: string;
}

export interface SkippedRecord {
  readonly line: number;
  readonly reason: string;
}

export type ShardFormat = 'jsonl' | 'json' | 'parquet';

export interface ShardReport {
  readonly name: string;
  format: ShardFormat | null;
  /** True when the bytes were gzip-compressed (found by the magic bytes, whatever the file name says). */
  gzip: boolean;
  mapping: FieldMapping | null;
  examples: number;
  skipped: number;
  /** The first few skipped records (see `ReadShardOptions.listSkipped`), in file order. */
  firstSkipped: SkippedRecord[];
  /** File-level notes that concern no single record, e.g. a JSON array without its closing `]`. */
  warnings: string[];
  /** Bytes of the file consumed so far (compressed bytes for .gz). */
  bytesRead: number;
  /** File size when the source knows it. */
  totalBytes: number | null;
}

export interface ShardProgress {
  readonly bytesRead: number;
  readonly totalBytes: number | null;
  readonly examples: number;
  readonly skipped: number;
}

/** Bytes arriving in pieces: a `ReadableStream` (Blob.stream(), fetch body) or any async iterable (Node streams). */
export type ByteChunks = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** A dataset file. `read` gives random access, which Parquet needs (its index sits at the end of the file). */
export interface ShardSource {
  /** File name, used in messages and for the `.gz` check. */
  readonly name: string;
  readonly size?: number;
  chunks(): ByteChunks;
  /** Bytes [start, end). Without it a Parquet file is buffered whole in memory (up to a cap). */
  read?(start: number, end: number): Promise<Uint8Array>;
}

/** A problem with the user's file or options: the message says what happened and what to do. */
export class DataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataError';
  }
}

/** No code and query fields could be told from the first records (a labelled file without queries, for one). */
export class FieldsNotFound extends DataError {
  constructor(message: string) {
    super(message);
    this.name = 'FieldsNotFound';
  }
}
