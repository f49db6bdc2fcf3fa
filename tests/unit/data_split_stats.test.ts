import { describe, expect, it } from 'vitest';
import { DataError, LENGTH_BIN_EDGES, shardStatistics, shuffleIndices, splitDeterministic, splitIndices } from '../../src/engine/data';

const isPermutation = (order: ArrayLike<number>, n: number): boolean =>
  order.length === n && new Set(Array.from(order)).size === n && Array.from(order).every((i) => i >= 0 && i < n);

describe('splitDeterministic', () => {
  it('is a pure function of (data, seed): the same split every time', () => {
    const items = Array.from({ length: 1000 }, (_, i) => `example ${i}`);
    const a = splitDeterministic(items, { valid: 0.1, test: 0.05, seed: 123456 });
    const b = splitDeterministic([...items], { valid: 0.1, test: 0.05, seed: 123456 });
    expect(b).toEqual(a);
    expect([a.train.length, a.valid.length, a.test.length]).toEqual([850, 100, 50]);
  });

  it('is disjoint and complete, keeps file order within each part, and changes with the seed', () => {
    const n = 997;
    const a = splitIndices(n, { valid: 0.2, test: 0.1, seed: 654321 });
    const all = [...a.train, ...a.valid, ...a.test];
    expect(isPermutation(all, n)).toBe(true);
    for (const part of [a.train, a.valid, a.test]) expect(part).toEqual([...part].sort((x, y) => x - y));
    const b = splitIndices(n, { valid: 0.2, test: 0.1, seed: 123 });
    expect(b.valid).not.toEqual(a.valid);
    // Seeds past 2^32 must not collapse onto their low 32 bits.
    const c = splitIndices(n, { valid: 0.2, test: 0.1, seed: 654321 + 2 ** 32 });
    expect(c.valid).not.toEqual(a.valid);
  });

  it('holds out at least one example per non-zero fraction, and none for zero', () => {
    expect(splitIndices(10, { valid: 0.01, test: 0, seed: 1 })).toMatchObject({ valid: [expect.any(Number)], test: [] });
    expect(splitIndices(0, { valid: 0, test: 0, seed: 1 })).toEqual({ train: [], valid: [], test: [] });
  });

  it('refuses fractions that leave nothing to train on, with a DataError', () => {
    expect(() => splitIndices(100, { valid: 0.6, test: 0.4, seed: 1 })).toThrow(DataError);
    expect(() => splitIndices(100, { valid: -0.1, test: 0, seed: 1 })).toThrow(/must each be in \[0, 1\)/);
    expect(() => splitIndices(2, { valid: 0.1, test: 0.1, seed: 1 })).toThrow(/^2 examples are too few/);
    expect(() => splitIndices(100, { valid: 0.1, test: 0.1, seed: 1.5 })).toThrow(/whole number/);
  });
});

describe('shuffleIndices', () => {
  it('gives a seeded permutation per epoch: reproducible, different across epochs and seeds', () => {
    const n = 5000;
    const e0 = shuffleIndices(n, 42, 0);
    expect(isPermutation(e0, n)).toBe(true);
    expect(shuffleIndices(n, 42, 0)).toEqual(e0);
    const e1 = shuffleIndices(n, 42, 1);
    expect(isPermutation(e1, n)).toBe(true);
    expect(e1).not.toEqual(e0);
    expect(shuffleIndices(n, 43, 0)).not.toEqual(e0);
    // Not the identity: few fixed points, as for a uniform permutation (expected 1).
    expect(e0.filter((v, i) => v === i).length).toBeLessThan(10);
  });

  it('spreads every item uniformly over positions (chi-square over 4000 shuffles of 8)', () => {
    const counts = Array.from({ length: 8 }, () => new Array<number>(8).fill(0));
    for (let epoch = 0; epoch < 4000; epoch++) {
      shuffleIndices(8, 7, epoch).forEach((item, position) => {
        const row = counts[item];
        if (row) row[position] = (row[position] ?? 0) + 1;
      });
    }
    const expected = 4000 / 8;
    const chi2 = counts.flat().reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    // 49 degrees of freedom: chi2 > 90 has probability below 1e-3 for a uniform shuffle.
    expect(chi2).toBeLessThan(90);
  });

  it('handles 0 and 1 items, and refuses bad epochs', () => {
    expect(shuffleIndices(0, 1, 0)).toEqual(new Uint32Array(0));
    expect(shuffleIndices(1, 1, 3)).toEqual(new Uint32Array([0]));
    expect(() => shuffleIndices(5, 1, -1)).toThrow(RangeError);
  });
});

describe('shardStatistics', () => {
  // One token per white-space word: lengths are easy to state.
  const words = (text: string): number => text.split(/\s+/).filter((w) => w !== '').length;
  const ex = (codeWords: number, queryWords: number) => ({ code: 'w '.repeat(codeWords), query: 'q '.repeat(queryWords) });

  it('counts lengths, truncation (length - 2 for <s> and </s>) and fixed bins, for code and query apart', () => {
    const examples = [ex(10, 3), ex(254, 5), ex(255, 7), ex(1500, 9)];
    const stats = shardStatistics(examples, words, 256);
    expect(stats.examples).toBe(4);
    expect(stats.code).toMatchObject({ min: 10, max: 1500, median: 254, limit: 254, truncated: 2, truncatedShare: 0.5 });
    expect(stats.code.mean).toBeCloseTo((10 + 254 + 255 + 1500) / 4, 12);
    expect(stats.query).toMatchObject({ min: 3, max: 9, median: 5, truncated: 0, truncatedShare: 0 });
    expect(stats.code.histogram.edges).toEqual(LENGTH_BIN_EDGES);
    const bin = (edge: number): number => stats.code.histogram.counts[LENGTH_BIN_EDGES.indexOf(edge)] ?? -1;
    expect([bin(8), bin(192), bin(1024)]).toEqual([1, 2, 1]);
    expect(stats.code.histogram.counts.reduce((a, b) => a + b, 0)).toBe(4);
    expect(stats.query.histogram.counts.slice(0, 2)).toEqual([3, 1]); // 3, 5, 7 tokens in [0, 8); 9 in [8, 16)
  });

  it('takes separate code and query lengths (UniXcoder: 256 / 128), and custom bins', () => {
    const stats = shardStatistics([ex(200, 127), ex(10, 126)], words, { code: 256, query: 128 }, { binEdges: [0, 100] });
    expect(stats.code.truncated).toBe(0);
    expect(stats.query).toMatchObject({ limit: 126, truncated: 1 });
    expect(stats.code.histogram.counts).toEqual([1, 1]);
  });

  it('gives percentiles by nearest rank and zeros for no examples', () => {
    const examples = Array.from({ length: 100 }, (_, i) => ex(i + 1, 1));
    const stats = shardStatistics(examples, words, 512);
    expect([stats.code.median, stats.code.p90, stats.code.p99]).toEqual([50, 90, 99]);
    expect(shardStatistics([], words, 256).code).toMatchObject({ mean: 0, max: 0, truncatedShare: 0 });
  });

  it('refuses a length function that does not return counts, and impossible lengths', () => {
    expect(() => shardStatistics([ex(1, 1)], () => 1.5, 256)).toThrow(/tokenizeLength returned 1.5/);
    expect(() => shardStatistics([ex(1, 1)], words, 2)).toThrow(/maxLength must be a whole number above 2/);
  });
});
