/**
 * The state of one file's download: the bytes held so far (pieces already written to the cache, plus the
 * pending bytes of the current piece), the expected size, and progress reporting. Pieces are flushed to the
 * cache every `pieceBytes`, and whenever the download stops, so an interrupted download loses nothing.
 */
import type { ModelCache, PartialDownload } from './cache';
import { formatBytes, isQuotaError, messageOf } from './errors';
import { SpeedMeter, type DownloadProgress } from './progress';

export interface TransferOptions {
  readonly url: string;
  readonly name: string;
  readonly cache: ModelCache | undefined;
  /** The size from the Hub's listing, if it gave one. */
  readonly expectedSize: number | undefined;
  readonly pieceBytes: number;
  readonly progressIntervalMs: number;
  readonly onProgress: ((p: DownloadProgress) => void) | undefined;
}

export class Transfer {
  readonly pieces: Blob[] = [];
  private readonly sizes: number[] = [];
  private pending: Uint8Array<ArrayBuffer>[] = [];
  private pendingBytes = 0;
  received = 0;
  /** Bytes that came from the cache's partial pieces at the start. */
  resumedFrom = 0;
  total: number | undefined;
  etag: string | undefined;
  /** False without a cache, or after the cache refused a write (quota): the download goes on in memory. */
  caching: boolean;
  readonly warnings: string[] = [];
  private readonly meter = new SpeedMeter();
  private lastReport = Number.NEGATIVE_INFINITY;

  constructor(readonly options: TransferOptions) {
    this.total = options.expectedSize;
    this.caching = options.cache !== undefined;
  }

  /** Pieces are kept in the cache only for files bigger than one piece: a small file restarts cheaply. */
  private get persists(): boolean {
    return this.caching && (this.total === undefined || this.total > this.options.pieceBytes);
  }

  restore(partial: PartialDownload): void {
    this.pieces.push(...partial.pieces);
    this.sizes.push(...partial.sizes);
    this.received = this.resumedFrom = partial.received;
    this.total = this.options.expectedSize ?? partial.total;
    this.etag = partial.etag;
    this.meter.add(this.received);
  }

  /** Forgets everything held (the server could not continue where we stopped), in memory and in the cache. */
  async discard(): Promise<void> {
    this.pieces.length = 0;
    this.sizes.length = 0;
    this.pending = [];
    this.pendingBytes = 0;
    this.received = this.resumedFrom = 0;
    this.total = this.options.expectedSize;
    this.meter.add(0);
    if (this.options.cache) await this.options.cache.clearPartial(this.options.url).catch(() => undefined);
  }

  async append(chunk: Uint8Array<ArrayBuffer>): Promise<void> {
    this.pending.push(chunk);
    this.pendingBytes += chunk.byteLength;
    this.received += chunk.byteLength;
    this.meter.add(this.received);
    this.report(false);
    if (this.pendingBytes >= this.options.pieceBytes) await this.flush();
  }

  /** Moves the pending bytes into a piece, written to the cache when it keeps pieces. Never throws. */
  async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const piece = new Blob(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    this.pieces.push(piece);
    this.sizes.push(piece.size);
    if (!this.persists) return;
    try {
      await this.options.cache!.writePartialPiece(this.options.url, this.sizes.length - 1, piece, this.sizes, { total: this.total, etag: this.etag });
    } catch (error) {
      this.stopCaching(error);
    }
  }

  /** After a refused write nothing more is written; the pieces already stored stay a valid start for a resume. */
  stopCaching(error: unknown): void {
    if (!this.caching) return;
    this.caching = false;
    const why = isQuotaError(error) ? "the browser's storage for this site is full (quota exceeded)" : `the cache refused it (${messageOf(error)})`;
    this.warnings.push(
      `${this.options.name} is not cached: ${why}. It is loaded for now, but the next visit downloads it again: remove cached models you do not need to free space.`,
    );
  }

  /** Progress at most every `progressIntervalMs`, and always when `force` (the first and the last event). */
  report(force: boolean, fromCache = false): void {
    const now = performance.now();
    if (!this.options.onProgress || (!force && now - this.lastReport < this.options.progressIntervalMs)) return;
    this.lastReport = now;
    this.options.onProgress({
      file: this.options.name,
      url: this.options.url,
      received: this.received,
      total: this.total,
      bytesPerSecond: this.meter.rate(),
      secondsLeft: this.meter.secondsLeft(this.received, this.total),
      resumedFrom: this.resumedFrom,
      fromCache,
    });
  }

  describe(): string {
    return this.total === undefined ? formatBytes(this.received) : `${formatBytes(this.received)} of ${formatBytes(this.total)}`;
  }
}
