/** Labelled records (classification and probing data): the label field is read, bad labels are skipped with a reason, classes are indexed stably. */
import { describe, expect, it } from 'vitest';
import { DataError, labelClasses, readShard, sourceFromBytes } from '../../src/engine/data';

const jsonl = (rows: readonly unknown[]): Uint8Array => new TextEncoder().encode(rows.map((r) => JSON.stringify(r)).join('\n'));

describe('labelled shards', () => {
  it('reads the label field, skipping records whose label is missing, a list, empty or too long', async () => {
    const rows = [
      { code: 'def a(): pass', label: 1 },
      { code: 'def b(): pass', label: '0' },
      { code: 'def c(): pass', label: true },
      { code: 'def d(): pass' },
      { code: 'def e(): pass', label: [1] },
      { code: 'def f(): pass', label: '' },
      { code: 'def g(): pass', label: 'x'.repeat(201) },
    ];
    const { examples, report } = await readShard(sourceFromBytes('probe.jsonl', jsonl(rows)), { mapping: { code: 'code', query: 'code', label: 'label' } });
    expect(examples.map((e) => e.label)).toEqual(['1', '0', 'true']);
    expect(report.skipped).toBe(4);
    expect(report.firstSkipped.map((s) => s.reason)).toEqual([
      'missing label field "label"',
      'the label field "label" is a list, expected a class name, number or boolean',
      'the label field "label" is a string that is empty or too long, expected a class name, number or boolean',
      'the label field "label" is a string that is empty or too long, expected a class name, number or boolean',
    ]);
  });

  it('indexes classes in sorted order (numbers numerically) and counts them', () => {
    const ex = (label: string, line: number) => ({ code: 'c', query: 'q', line, label });
    const set = labelClasses(['10', '2', '2', '1', '10', '1'].map(ex), 'x');
    expect(set.classes).toEqual(['1', '2', '10']);
    expect([...set.labels]).toEqual([2, 1, 1, 0, 2, 0]);
    expect(set.counts).toEqual([2, 2, 2]);
    expect(labelClasses(['neg', 'pos', 'neg'].map(ex), 'x').classes).toEqual(['neg', 'pos']);
  });

  it('refuses one class, unlabelled records and free text or identifiers as labels', () => {
    expect(() => labelClasses(['a', 'b', 'c', 'a'].map((l, i) => ({ code: 'c', query: 'q', line: i, label: l })), 'd.jsonl')).toThrow(/3 distinct labels for 4 records/);
    const ex = (label: string | undefined, line: number) => ({ code: 'c', query: 'q', line, ...(label === undefined ? {} : { label }) });
    expect(() => labelClasses(['a', 'a'].map(ex), 'd.jsonl')).toThrow(/every record has the label "a"/);
    expect(() => labelClasses([ex('a', 1), ex(undefined, 2)], 'd.jsonl')).toThrow(/line 2 has no label/);
    expect(() => labelClasses(Array.from({ length: 1001 }, (_, i) => ex(`t${i}`, i)), 'd.jsonl')).toThrow(DataError);
  });
});
