/**
 * Reading one shard: detect the format from its bytes (gzip is unwrapped first), parse records as they
 * stream in, decide the field mapping from the first records, and turn records into examples. Bad records are
 * skipped and counted, never fatal; a file that yields no example at all is an error, never an empty dataset.
 */

import type { AsyncBuffer } from 'hyparquet';
import { gunzip, hexBytes, iterateChunks, peek, type Peeked } from './bytes';
import { describeValue, detectFields, detectionFailure, extractExample, isRecord, resolveMapping, sampleFieldNames } from './fields';
import { jsonArrayRecords } from './json_array';
import { jsonlRecords, type RawRecord } from './jsonl';
import { asyncBufferFrom, bufferParquet, openParquet } from './parquet';
import { describeHead, sniff, sniffable } from './sniff';
import {
  type ByteChunks,
  DataError,
  FieldsNotFound,
  type Example,
  type FieldMapping,
  type FieldSelection,
  type ShardProgress,
  type ShardReport,
  type ShardSource,
} from './types';

export interface ReadShardOptions {
  /** Name and size of plain chunks (a `ShardSource` brings its own). */
  readonly name?: string;
  readonly size?: number;
  /** The user's field choice; without it the fields are detected from the first records. */
  readonly mapping?: FieldSelection;
  /** Called as bytes arrive (once per chunk, and once at the end). */
  readonly onProgress?: (progress: ShardProgress) => void;
  /** How many skipped records the report lists (default 10); all are counted. */
  readonly listSkipped?: number;
}

/** Records the mapping is decided from. */
const SAMPLE_RECORDS = 32;
/** Records held back while no JSON object has been seen yet (a garbage prefix must not fill memory). */
const MAX_PENDING = 10_000;
/**
 * Pairs one shard may hold: twice CodeSearchNet's six languages together. A 5 MB gzip bomb of tiny records
 * (68 million of them) stops here with a message after seconds, instead of exhausting memory after minutes.
 */
export const MAX_SHARD_EXAMPLES = 4_000_000;

interface RecordStream {
  readonly records: AsyncGenerator<RawRecord[]>;
  /** All field names of the file when the format declares them (Parquet's schema), for messages. */
  readonly fieldNames?: readonly string[];
}

/**
 * One pass over a shard: iterate it for examples (or `batches()` for arrays of them, one per chunk, which is
 * cheaper at hundreds of thousands of records); `report` is live during the pass and complete after it.
 */
export class ShardReader implements AsyncIterable<Example> {
  readonly report: ShardReport;
  private used = false;
  private mapping: FieldMapping | null = null;
  /** Records held until the mapping is decided, so the skip list stays in file order. */
  private pending: RawRecord[] = [];
  private objects = 0;

  constructor(
    private readonly source: ShardSource,
    private readonly options: ReadShardOptions = {},
  ) {
    this.report = {
      name: source.name,
      format: null,
      gzip: false,
      mapping: null,
      examples: 0,
      skipped: 0,
      firstSkipped: [],
      warnings: [],
      bytesRead: 0,
      totalBytes: source.size ?? null,
    };
  }

  [Symbol.asyncIterator](): AsyncGenerator<Example> {
    return flatten(this.batches());
  }

  /** The examples in file order, in batches; a reader is read once. */
  batches(): AsyncGenerator<Example[]> {
    if (this.used) throw new Error('a ShardReader is read once; open the shard again to re-read it');
    this.used = true;
    return this.run();
  }

  private async *run(): AsyncGenerator<Example[]> {
    const stream = await this.openRecords();
    for await (const batch of stream.records) {
      const examples = this.accept(batch, stream.fieldNames);
      if (examples.length > 0) yield examples;
    }
    const rest: Example[] = [];
    if (this.pending.length > 0) this.flushPending(stream.fieldNames, rest);
    if (rest.length > 0) yield rest;
    this.progress();
    if (this.report.examples === 0) throw new DataError(this.nothingUsable());
  }

  private async *counted(chunks: AsyncGenerator<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of chunks) {
      this.report.bytesRead += chunk.byteLength;
      this.progress();
      yield chunk;
    }
  }

  private progress(): void {
    const { bytesRead, totalBytes, examples, skipped } = this.report;
    this.options.onProgress?.({ bytesRead, totalBytes, examples, skipped });
  }

  private async openRecords(): Promise<RecordStream> {
    const name = this.source.name;
    let peeked = await peek(this.counted(iterateChunks(this.source.chunks())), sniffable);
    let sniffed = sniff(peeked.head);
    if (sniffed.kind !== 'empty' && sniffed.kind !== 'gzip' && /\.gz$/i.test(name)) {
      await peeked.close();
      throw new DataError(
        `${name} is not gzip-compressed (its first bytes are ${describeHead(peeked.head)}). ` +
          `Rename it without ".gz" if it is plain text, or download it again.`,
      );
    }
    if (sniffed.kind === 'gzip') {
      this.report.gzip = true;
      peeked = await peek(gunzip(peeked.chunks, name), sniffable);
      sniffed = sniff(peeked.head);
    }
    switch (sniffed.kind) {
      case 'jsonl':
        this.report.format = 'jsonl';
        return { records: jsonlRecords(peeked.chunks) };
      case 'json':
        this.report.format = 'json';
        return { records: jsonArrayRecords(peeked.chunks, this.report.warnings) };
      case 'parquet':
        return this.openParquetRecords(peeked);
      case 'empty':
        await peeked.close();
        throw new DataError(`${name} is empty${this.report.gzip ? ' once decompressed' : ''}: it holds no records. Pick another file.`);
      default: {
        await peeked.close();
        const looks = sniffed.kind === 'unknown' && sniffed.looksLike !== null ? `; it looks like ${sniffed.looksLike}` : '';
        const inner = this.report.gzip ? ' once decompressed' : '';
        throw new DataError(
          `${name} is not JSONL, JSON or Parquet: its first bytes${inner} are ${hexBytes(peeked.head)}${looks}. ` +
            `The lab reads JSON Lines (.jsonl, .jsonl.gz), a JSON array of records (.json) or Parquet (.parquet).`,
        );
      }
    }
  }

  private async openParquetRecords(peeked: Peeked): Promise<RecordStream> {
    this.report.format = 'parquet';
    const { size } = this.source;
    const read = this.source.read?.bind(this.source);
    const randomAccess = !this.report.gzip && read !== undefined && size !== undefined;
    let file: AsyncBuffer;
    if (randomAccess) {
      await peeked.close();
      file = asyncBufferFrom(size, read);
    } else file = await bufferParquet(peeked.chunks, this.source.name);
    const shard = await openParquet(file, this.source.name, this.options.mapping, (done, total) => {
      // With random access the bytes are fetched per row group; rows done is the honest measure of progress.
      if (randomAccess && total > 0) this.report.bytesRead = Math.round((size * done) / total);
      this.progress();
    });
    return { records: shard.records, fieldNames: shard.columns };
  }

  private accept(batch: readonly RawRecord[], fieldNames: readonly string[] | undefined): Example[] {
    if (this.mapping !== null) return this.takeAll(batch, this.mapping);
    const out: Example[] = [];
    for (const record of batch) {
      if (this.mapping !== null) {
        const example = this.take(record, this.mapping);
        if (example !== null) out.push(example);
        continue;
      }
      this.pending.push(record);
      if ('value' in record && isRecord(record.value)) this.objects++;
      if (this.objects >= SAMPLE_RECORDS || this.pending.length >= MAX_PENDING) this.flushPending(fieldNames, out);
    }
    return out;
  }

  /** Decides the mapping once a JSON object has been seen, then turns the held records into examples or skips. */
  private flushPending(fieldNames: readonly string[] | undefined, out: Example[]): void {
    if (this.objects > 0) this.mapping = this.decide(this.pending, fieldNames);
    for (const example of this.takeAll(this.pending, this.mapping)) out.push(example);
    this.pending = [];
  }

  private decide(pending: readonly RawRecord[], fieldNames: readonly string[] | undefined): FieldMapping {
    const sample: Record<string, unknown>[] = [];
    for (const r of pending) if ('value' in r && isRecord(r.value) && sample.length < SAMPLE_RECORDS) sample.push(r.value);
    const names = fieldNames ?? sampleFieldNames(sample);
    const selection = this.options.mapping;
    const mapping = selection === undefined ? detectFields(sample) : resolveMapping(selection, sample, this.source.name, names);
    if (mapping === null) throw new FieldsNotFound(detectionFailure(this.source.name, names));
    this.report.mapping = mapping;
    return mapping;
  }

  private takeAll(records: readonly RawRecord[], mapping: FieldMapping | null): Example[] {
    const out: Example[] = [];
    for (const record of records) {
      if (mapping !== null) {
        const example = this.take(record, mapping);
        if (example !== null) out.push(example);
      } else if ('error' in record) this.skip(record.line, record.error);
      else this.skip(record.line, `not a JSON object (${describeValue(record.value)})`);
    }
    return out;
  }

  private take(record: RawRecord, mapping: FieldMapping): Example | null {
    if ('error' in record) {
      this.skip(record.line, record.error);
      return null;
    }
    const example = extractExample(record.value, record.line, mapping);
    if ('reason' in example) {
      this.skip(record.line, example.reason);
      return null;
    }
    if (this.report.examples >= MAX_SHARD_EXAMPLES) {
      throw new DataError(`${this.source.name} holds more than ${MAX_SHARD_EXAMPLES.toLocaleString('en-US')} pairs (line ${record.line}${this.report.gzip ? ', decompressed' : ''}): the lab reads at most that many from one shard. Split the file, or sample it.`);
    }
    this.report.examples++;
    return example;
  }

  private skip(line: number, reason: string): void {
    this.report.skipped++;
    if (this.report.firstSkipped.length < (this.options.listSkipped ?? 10)) this.report.firstSkipped.push({ line, reason });
  }

  private nothingUsable(): string {
    const { name, skipped, firstSkipped, format } = this.report;
    if (skipped === 0) return `${name} holds no records. Pick another file.`;
    const where = format === 'parquet' ? 'row' : 'line';
    const examples = firstSkipped.slice(0, 3).map((s) => `${where} ${s.line}: ${s.reason}`);
    const listed = examples.length > 0 ? ` (${examples.join('; ')})` : '';
    // The JSON Lines hint only where lines were not objects (a pretty-printed file); a missing field is its own reason.
    const notObjects = firstSkipped.some((s) => /^(not a JSON object|not valid JSON)/.test(s.reason));
    const hint = format === 'jsonl' && notObjects ? ' JSON Lines needs one complete JSON object per line; a single pretty-printed object is not a dataset.' : '';
    return `${name}: none of its ${skipped} records could be used${listed}.${hint}`;
  }
}

async function* flatten(batches: AsyncGenerator<Example[]>): AsyncGenerator<Example> {
  for await (const batch of batches) yield* batch;
}

function isSource(input: ShardSource | ByteChunks): input is ShardSource {
  return typeof (input as ShardSource).chunks === 'function';
}

/** A reader over a shard; iterate it once with `for await`. */
export function openShard(input: ShardSource | ByteChunks, options: ReadShardOptions = {}): ShardReader {
  const source = isSource(input) ? input : { name: options.name ?? 'shard', size: options.size, chunks: () => input };
  return new ShardReader(source, options);
}

/** Every example of a shard in memory, with the report. */
export async function readShard(
  input: ShardSource | ByteChunks,
  options: ReadShardOptions = {},
): Promise<{ examples: Example[]; report: ShardReport }> {
  const reader = openShard(input, options);
  const examples: Example[] = [];
  for await (const batch of reader.batches()) for (const example of batch) examples.push(example);
  return { examples, report: reader.report };
}
