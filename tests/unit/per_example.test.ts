/** The per-example analysis' filters, group statistics and CSV (src/app/lib/per_example.ts). */
import { describe, expect, it } from 'vitest';
import { exampleStats, examplesCsv, filterExamples } from '../../src/app/lib/per_example';
import type { ExampleRanks } from '../../src/app/worker/protocol';

const ex = (index: number, ranks: number[], codeTokens = 10): ExampleRanks => ({ index, query: `q${index}`, code: `def f${index}(): pass`, codeTokens, queryTokens: 4, lines: 1, ranks });

const EXAMPLES = [ex(0, [1, 1]), ex(1, [1, 7], 20), ex(2, [9, 1]), ex(3, [4, 6], 40), ex(4, [2, 2])];

describe('per-example analysis', () => {
  it('splits queries into easy, hard and fixed ones by the gold rank threshold', () => {
    const idx = (f: Parameters<typeof filterExamples>[1], k: number): number[] => filterExamples(EXAMPLES, f, k).map((e) => e.index);
    expect(idx('all', 1)).toEqual([0, 1, 2, 3, 4]);
    expect(idx('all-succeed', 1)).toEqual([0]);
    expect(idx('all-fail', 1)).toEqual([3, 4]);
    expect(idx('a-not-b', 1)).toEqual([1]);
    expect(idx('b-not-a', 1)).toEqual([2]);
    expect(idx('all-succeed', 5)).toEqual([0, 4]);
    expect(idx('a-not-b', 5)).toEqual([1, 3]);
  });

  it('gives the mean sizes of a group and writes every query with its ranks as CSV', () => {
    expect(exampleStats(filterExamples(EXAMPLES, 'a-not-b', 5))).toEqual({ n: 2, codeTokens: 30, queryTokens: 4, lines: 1 });
    expect(exampleStats([]).n).toBe(0);
    const csv = examplesCsv(EXAMPLES.slice(0, 2), ['model', 'LoRA-64']).trim().split('\n');
    expect(csv[0]).toBe('index,query,code_tokens,query_tokens,lines,rank model,rank LoRA-64,code');
    expect(csv[2]).toBe('1,q1,20,4,1,1,7,def f1(): pass');
  });
});
