/**
 * Token-length statistics of a shard, for code and query separately: how long the texts are, how many the
 * chosen sequence length truncates, and a histogram over fixed bins, so shards and settings can be compared.
 */

import type { Example } from './types';

/**
 * Lower edges of the histogram bins; the last bin is open-ended. Finer where queries live (under 32 tokens),
 * and edges at the usual sequence lengths (64, 128, 256, 512) so truncation lines up with a bin edge.
 */
export const LENGTH_BIN_EDGES: readonly number[] = [0, 8, 16, 24, 32, 48, 64, 96, 128, 192, 256, 320, 384, 512, 768, 1024];

export interface LengthHistogram {
  /** Bin i counts lengths in [edges[i], edges[i + 1]); the last bin counts lengths ≥ its edge. */
  readonly edges: readonly number[];
  readonly counts: number[];
}

export interface LengthStatistics {
  readonly mean: number;
  readonly median: number;
  readonly p90: number;
  readonly p99: number;
  readonly min: number;
  readonly max: number;
  /** The longest text that fits: the sequence length minus the reserved special tokens. */
  readonly limit: number;
  /** Texts longer than `limit`, which the encoder input cuts. */
  readonly truncated: number;
  readonly truncatedShare: number;
  readonly histogram: LengthHistogram;
}

export interface ShardStatistics {
  readonly examples: number;
  readonly code: LengthStatistics;
  readonly query: LengthStatistics;
}

export interface StatisticsOptions {
  /**
   * Tokens the input adds around the text: 2 for RoBERTa's `<s> … </s>` (CodeXGLUE truncates to
   * `length - 2`). `tokenizeLength` must count the text's tokens without them.
   */
  readonly reservedTokens?: number;
  readonly binEdges?: readonly number[];
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: Int32Array, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

function histogram(lengths: Int32Array, edges: readonly number[]): LengthHistogram {
  const counts = new Array<number>(edges.length).fill(0);
  for (const length of lengths) {
    let bin = edges.length - 1;
    while (bin > 0 && length < (edges[bin] ?? 0)) bin--;
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  return { edges, counts };
}

function summarize(lengths: Int32Array, limit: number, edges: readonly number[]): LengthStatistics {
  const sorted = lengths.slice().sort();
  let sum = 0;
  let truncated = 0;
  for (const length of lengths) {
    sum += length;
    if (length > limit) truncated++;
  }
  const n = lengths.length;
  return {
    mean: n === 0 ? 0 : sum / n,
    median: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    min: sorted[0] ?? 0,
    max: sorted[n - 1] ?? 0,
    limit,
    truncated,
    truncatedShare: n === 0 ? 0 : truncated / n,
    histogram: histogram(lengths, edges),
  };
}

function checkEdges(edges: readonly number[]): void {
  const ok = edges.length > 0 && edges[0] === 0 && edges.every((e, i) => Number.isInteger(e) && (i === 0 || e > (edges[i - 1] ?? 0)));
  if (!ok) throw new RangeError('bin edges must be increasing whole numbers starting at 0');
}

/**
 * Token lengths of every example's code and query. `maxLength` is the encoder's sequence length, one for both
 * or one each (UniXcoder uses 256 for code and 128 for queries).
 */
export function shardStatistics(
  examples: readonly Pick<Example, 'code' | 'query'>[],
  tokenizeLength: (text: string) => number,
  maxLength: number | { readonly code: number; readonly query: number },
  options: StatisticsOptions = {},
): ShardStatistics {
  const reserved = options.reservedTokens ?? 2;
  const edges = options.binEdges ?? LENGTH_BIN_EDGES;
  checkEdges(edges);
  const limits = typeof maxLength === 'number' ? { code: maxLength, query: maxLength } : maxLength;
  for (const limit of [limits.code, limits.query]) {
    if (!Number.isInteger(limit) || limit <= reserved) throw new RangeError(`maxLength must be a whole number above ${reserved}, got ${limit}`);
  }
  const measure = (text: string): number => {
    const length = tokenizeLength(text);
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`tokenizeLength returned ${length}; it must return a token count`);
    return length;
  };
  const code = new Int32Array(examples.length);
  const query = new Int32Array(examples.length);
  examples.forEach((example, i) => {
    code[i] = measure(example.code);
    query[i] = measure(example.query);
  });
  return {
    examples: examples.length,
    code: summarize(code, limits.code - reserved, edges),
    query: summarize(query, limits.query - reserved, edges),
  };
}
