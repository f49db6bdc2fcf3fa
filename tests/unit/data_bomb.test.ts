/**
 * A gzip bomb of tiny valid records (issue 12 problem 5): a few megabytes that inflate to gigabytes of pairs
 * stop at the stated limit with a plain message, having held no more than the limit's worth of examples.
 */
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readShard, sourceFromBytes } from '../../src/engine/data';
import { MAX_SHARD_EXAMPLES } from '../../src/engine/data/shard';

describe('a shard bigger than any dataset', () => {
  it(`stops at ${MAX_SHARD_EXAMPLES.toLocaleString('en-US')} pairs with what to do`, async () => {
    const line = new TextEncoder().encode('{"code":"a","docstring":"b"}\n');
    const block = new Uint8Array(line.length * 100_000);
    for (let i = 0; i < 100_000; i++) block.set(line, i * line.length);
    // 4.1 million records: a 100,000-record block inflated 41 times from one small gzip member each.
    const member = gzipSync(block, { level: 9 });
    const parts = Array.from({ length: 41 }, () => member);
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((o, p) => (bytes.set(p, o), o + p.length), 0);
    expect(bytes.length).toBeLessThan(10_000_000);
    await expect(readShard(sourceFromBytes('bomb.jsonl.gz', bytes))).rejects.toThrow(/bomb\.jsonl\.gz holds more than 4,000,000 pairs \(line 4000001, decompressed\): .*Split the file/);
  }, 120_000);
});
