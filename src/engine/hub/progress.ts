/**
 * Download speed over a sliding window: the last few seconds say more about the time left than the average
 * since the start (a resumed download, a network that changed, a cache that answered the first files).
 */

export interface DownloadProgress {
  /** The file's name in the repository (or the URL's last segment). */
  readonly file: string;
  readonly url: string;
  /** Bytes of the file held so far, including those resumed from the cache. */
  readonly received: number;
  /** The file's size when known (content-length, content-range or the Hub's listing). */
  readonly total: number | undefined;
  /** Over the sliding window; 0 until two samples are far enough apart. */
  readonly bytesPerSecond: number;
  /** undefined while the speed or the total is unknown. */
  readonly secondsLeft: number | undefined;
  /** Bytes that came from a partial download kept in the cache. */
  readonly resumedFrom: number;
  /** True when the whole file came from the cache. */
  readonly fromCache: boolean;
}

interface Sample {
  readonly at: number; // ms
  readonly bytes: number;
}

export class SpeedMeter {
  private samples: Sample[] = [];
  constructor(
    private readonly windowMs = 5000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Records the running byte count; a lower count (a restart from 0) starts the window afresh. */
  add(bytes: number): void {
    const at = this.now();
    const last = this.samples[this.samples.length - 1];
    if (last && bytes < last.bytes) this.samples = [];
    // Samples closer than 100 ms are merged: a fast network delivers thousands of chunks per window.
    const previous = this.samples[this.samples.length - 2];
    if (previous && at - previous.at < 100) this.samples[this.samples.length - 1] = { at, bytes };
    else this.samples.push({ at, bytes });
    // Keep one sample older than the window as its left edge, so the rate spans the whole window.
    while (this.samples.length > 2 && this.samples[1]!.at <= at - this.windowMs) this.samples.shift();
  }

  /** Bytes per second over the window; 0 when it spans less than 50 ms (too noisy to show). */
  rate(): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.at - first.at < 50) return 0;
    return ((last.bytes - first.bytes) * 1000) / (last.at - first.at);
  }

  secondsLeft(received: number, total: number | undefined): number | undefined {
    const rate = this.rate();
    if (total === undefined || rate <= 0) return undefined;
    return Math.max(0, total - received) / rate;
  }
}
