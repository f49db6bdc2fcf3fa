/**
 * Parquet through hyparquet (pure JavaScript, no native code). Parquet keeps its index at the end of the file,
 * so it is read with random access: the footer first, then one row group at a time, and only the columns that
 * can hold code, query or id. Without random access the file is buffered whole, up to `MAX_BUFFERED_PARQUET`.
 * Lists of strings (`code_tokens`) come back as arrays, strings as strings, nulls as missing fields.
 */

import { type AsyncBuffer, type FileMetaData, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import { concatBytes, shortMessage } from './bytes';
import { CODE_FIELDS, ID_FIELDS, QUERY_FIELDS } from './fields';
import type { RawRecord } from './jsonl';
import { DataError, type FieldSelection } from './types';

/** Buffering beyond this would risk the tab's memory; such files need a source with random access. */
export const MAX_BUFFERED_PARQUET = 1024 * 1024 * 1024;

/** hyparquet's AsyncBuffer over a random-access reader. */
export function asyncBufferFrom(size: number, read: (start: number, end: number) => Promise<Uint8Array>): AsyncBuffer {
  return {
    byteLength: size,
    slice: async (start: number, end?: number): Promise<ArrayBuffer> => {
      const bytes = await read(start, end ?? size);
      return new Uint8Array(bytes).buffer;
    },
  };
}

/** The whole input in memory, for sources without random access (and gzip-wrapped Parquet). */
export async function bufferParquet(chunks: AsyncIterable<Uint8Array>, what: string): Promise<AsyncBuffer> {
  const pieces: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.byteLength;
    if (total > MAX_BUFFERED_PARQUET) {
      throw new DataError(`${what}: a Parquet file this large (over 1 GiB) must be opened from a file, not a stream. Pick the file itself.`);
    }
    pieces.push(chunk);
  }
  return concatBytes(pieces).buffer;
}

function parquetFailure(error: unknown, what: string): DataError {
  const message = shortMessage(error);
  const codec = /unsupported compression codec: (\w+)/.exec(message)?.[1];
  if (codec !== undefined) {
    return new DataError(
      `${what}: its columns are compressed with ${codec}, which this reader cannot decompress (it reads uncompressed ` +
        `and Snappy Parquet). Re-save it with Snappy, e.g. pyarrow.parquet.write_table(table, path, compression="snappy"), ` +
        `or convert it to JSON Lines.`,
    );
  }
  return new DataError(`${what}: not a readable Parquet file (${message}). Check that it was fully downloaded.`);
}

export interface ParquetShard {
  /** Top-level column names, for messages about field choices. */
  readonly columns: string[];
  readonly records: AsyncGenerator<RawRecord[]>;
}

/** Opens the footer and returns the records of the columns that matter, one row group at a time. */
export async function openParquet(
  file: AsyncBuffer,
  what: string,
  selection: FieldSelection | undefined,
  onRows: (rowsDone: number, totalRows: number) => void,
): Promise<ParquetShard> {
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (error) {
    throw parquetFailure(error, what);
  }
  const columns = parquetSchema(metadata).children.map((c) => c.element.name);
  const wanted = selection === undefined
    ? [...CODE_FIELDS, ...QUERY_FIELDS, ...ID_FIELDS]
    : [selection.code, selection.query, ...(selection.id === undefined ? [] : [selection.id])];
  const read = columns.filter((c) => wanted.includes(c));
  return { columns, records: parquetRows(file, metadata, read, what, onRows) };
}

async function* parquetRows(
  file: AsyncBuffer,
  metadata: FileMetaData,
  columns: string[],
  what: string,
  onRows: (rowsDone: number, totalRows: number) => void,
): AsyncGenerator<RawRecord[]> {
  const totalRows = Number(metadata.num_rows);
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    let rows: Record<string, unknown>[] = [];
    // With no wanted column present there is nothing to read; every row then reports its missing field.
    if (columns.length > 0) {
      try {
        rows = await parquetReadObjects({ file, metadata, columns, rowStart, rowEnd });
      } catch (error) {
        throw parquetFailure(error, what);
      }
    }
    const batch: RawRecord[] = [];
    for (let r = rowStart; r < rowEnd; r++) batch.push({ line: r + 1, value: rows[r - rowStart] ?? {} });
    rowStart = rowEnd;
    onRows(rowStart, totalRows);
    yield batch;
  }
}
