/**
 * downloadFile against a local imitation of the Hub: a connection cut midway resumes with
 * `Range: bytes=<received>-` (within one call, and across calls through the cache's pieces) into a
 * byte-identical file; a server that ignores the range restarts from 0; a body that ends short is an error
 * and its pieces are dropped; progress is monotonic and ends at the total; the sliding-window speed.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeHub, type FakeHub } from '../../src/engine/hub/fake_hub';
import { downloadFile, HubError, MemoryModelCache, SpeedMeter, type DownloadProgress, type DownloadResult } from '../../src/engine/hub';

function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** -1 when equal, else the first index that differs (the shorter length when one is a prefix). */
async function firstDifference(blob: Blob, want: Uint8Array): Promise<number> {
  const got = new Uint8Array(await blob.arrayBuffer());
  const n = Math.min(got.byteLength, want.byteLength);
  for (let i = 0; i < n; i++) if (got[i] !== want[i]) return i;
  return got.byteLength === want.byteLength ? -1 : n;
}

const weights = bytes(300_000, 7);
const PIECE = 64 * 1024;
let hub: FakeHub;
let url: string;

beforeAll(async () => {
  hub = await startFakeHub([{ id: 'lab/model', branches: { main: { commit: 'abc123', files: { 'pytorch_model.bin': weights } } } }]);
  url = `${hub.endpoint}/lab/model/resolve/abc123/pytorch_model.bin`;
});
afterAll(async () => hub.close());
beforeEach(() => {
  hub.requests.length = 0;
  hub.faults.length = 0;
});

/** The file's requests as the CDN saw them (the resolve URL redirects there, carrying the Range header). */
const cdnRanges = (): (string | undefined)[] => hub.requests.filter((r) => r.path.startsWith('/cdn/')).map((r) => r.range);

function expectMonotonicToTotal(events: readonly DownloadProgress[], total: number): void {
  for (let i = 1; i < events.length; i++) expect(events[i]!.received).toBeGreaterThanOrEqual(events[i - 1]!.received);
  expect(events.at(-1)).toMatchObject({ received: total, total });
}

async function failure(promise: Promise<unknown>): Promise<HubError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HubError);
  return error as HubError;
}

describe('downloadFile', () => {
  it('resumes a cut connection with a Range request in the same call, byte-identical', async () => {
    hub.faults.push({ kind: 'cut', file: 'pytorch_model.bin', after: 100_000 });
    const events: DownloadProgress[] = [];
    const cache = new MemoryModelCache();
    const result = await downloadFile(url, { cache, pieceBytes: PIECE, retryDelayMs: 0, progressIntervalMs: 0, onProgress: (p) => events.push(p) });
    expect(await firstDifference(result.data, weights)).toBe(-1);
    const ranges = cdnRanges();
    expect(ranges).toHaveLength(2);
    expect(ranges[0]).toBeUndefined();
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(ranges[1] ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(100_000);
    // The bytes held when the connection dropped are exactly those asked from.
    expect(events.filter((e) => e.received === resumedAt).length).toBeGreaterThan(0);
    expectMonotonicToTotal(events, weights.byteLength);
    expect(result).toMatchObject({ fromCache: false, cached: true, resumedFrom: 0 });
    expect(await cache.readPartial(url)).toBeUndefined();
  });

  it('keeps what arrived in the cache, and the next call asks for the rest', async () => {
    hub.faults.push({ kind: 'cut', file: 'pytorch_model.bin', after: 150_000 });
    const cache = new MemoryModelCache();
    const error = await failure(downloadFile(url, { cache, pieceBytes: PIECE, retries: 0, modelId: 'lab/model' }));
    expect(error.kind).toBe('interrupted');
    expect(error.message).toMatch(/^The download of pytorch_model\.bin of lab\/model stopped after .* of 293\.0 KiB \(the connection dropped\)\. Try again: it resumes where it stopped\./);
    const partial = await cache.readPartial(url);
    expect(partial!.received).toBeGreaterThan(0);
    expect(partial!.sizes.length).toBeGreaterThan(1);

    hub.requests.length = 0;
    const events: DownloadProgress[] = [];
    const result = await downloadFile(url, { cache, pieceBytes: PIECE, progressIntervalMs: 0, onProgress: (p) => events.push(p) });
    expect(hub.requests.map((r) => r.range)).toEqual([`bytes=${partial!.received}-`, `bytes=${partial!.received}-`]); // resolve, then CDN
    expect(await firstDifference(result.data, weights)).toBe(-1);
    expect(result.resumedFrom).toBe(partial!.received);
    expect(events[0]).toMatchObject({ received: partial!.received, resumedFrom: partial!.received });
    expectMonotonicToTotal(events, weights.byteLength);
    expect(await cache.readPartial(url)).toBeUndefined();
    expect((await cache.getFile(url))!.size).toBe(weights.byteLength);

    hub.requests.length = 0;
    const again = await downloadFile(url, { cache });
    expect([again.fromCache, hub.requests.length]).toEqual([true, 0]);
    expect(await firstDifference(again.data, weights)).toBe(-1);
  });

  it('starts over from byte 0 when the server answers a range with the whole file', async () => {
    hub.faults.push({ kind: 'cut', file: 'pytorch_model.bin', after: 100_000 }, { kind: 'ignore-range', file: 'pytorch_model.bin' });
    const result = await downloadFile(url, { cache: new MemoryModelCache(), pieceBytes: PIECE, retryDelayMs: 0 });
    expect(cdnRanges()).toHaveLength(2);
    expect(cdnRanges()[1]).toMatch(/^bytes=\d+-$/);
    expect(await firstDifference(result.data, weights)).toBe(-1);
  });

  it('refuses a body that ends early without an error, and drops its pieces', async () => {
    hub.faults.push({ kind: 'short', file: 'pytorch_model.bin', after: 200_000 });
    const cache = new MemoryModelCache();
    const error = await failure(downloadFile(url, { cache, pieceBytes: PIECE, expectedSize: weights.byteLength }));
    expect(error.kind).toBe('truncated');
    expect(error.message).toContain('came out the wrong size: 195.3 KiB (200000 bytes) instead of 293.0 KiB (300000 bytes). The partial file was discarded');
    expect(await cache.readPartial(url)).toBeUndefined();
    expect(await cache.getFile(url)).toBeUndefined();
  });

  it('stops when its signal aborts, keeping the pieces for a later resume', async () => {
    const controller = new AbortController();
    const cache = new MemoryModelCache();
    const onProgress = (p: DownloadProgress): void => {
      if (p.received > 0) controller.abort();
    };
    const run = downloadFile(url, { cache, pieceBytes: 1024, progressIntervalMs: 0, signal: controller.signal, onProgress });
    const error = await failure(run);
    expect(error.kind).toBe('aborted');
    expect((await cache.readPartial(url))!.received).toBeGreaterThan(0);
    const done: DownloadResult = await downloadFile(url, { cache, pieceBytes: 1024 });
    expect(done.resumedFrom).toBeGreaterThan(0);
    expect(await firstDifference(done.data, weights)).toBe(-1);
  });

  it('works without a cache, and reports a missing file as not found', async () => {
    const result = await downloadFile(url);
    expect([result.cached, result.fromCache]).toEqual([false, false]);
    expect(await firstDifference(result.data, weights)).toBe(-1);
    const error = await failure(downloadFile(`${hub.endpoint}/lab/model/resolve/abc123/model.safetensors`, { modelId: 'lab/model' }));
    expect([error.kind, error.status]).toEqual(['not-found', 404]);
    expect(error.message).toContain('model.safetensors of lab/model does not exist');
  });
});

describe('SpeedMeter', () => {
  it('measures over the sliding window, not since the start', () => {
    let now = 0;
    const meter = new SpeedMeter(5000, () => now);
    for (; now <= 10_000; now += 500) meter.add(now); // 1000 B/s for 10 s
    expect(meter.rate()).toBeCloseTo(1000, 6);
    const base = 10_000;
    for (now = 10_500; now <= 20_000; now += 500) meter.add(base + (now - 10_000) * 3); // then 3000 B/s
    expect(meter.rate()).toBeCloseTo(3000, 6);
    expect(meter.secondsLeft(base + 30_000, base + 60_000)).toBeCloseTo(10, 6);
    const end = now - 500; // the time of the last sample above
    for (now = end + 1; now <= end + 2000; now += 1) meter.add(base + 30_000 + (now - end) * 3); // 2000 chunks at 1 ms: merged, same rate
    expect(meter.rate()).toBeCloseTo(3000, 6);
    meter.add(0); // a restart from byte 0 starts the window afresh
    expect(meter.rate()).toBe(0);
    expect(meter.secondsLeft(0, 100)).toBeUndefined();
  });
});
