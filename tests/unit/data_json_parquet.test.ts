import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DataError, readShard, sourceFromBlob, sourceFromBytes, type ShardSource } from '../../src/engine/data';
import { sourceFromPath } from '../../src/engine/data/node_source';

const FIXTURES = new URL('../fixtures/data/', import.meta.url);
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, FIXTURES)));
const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

async function failure(promise: Promise<unknown>): Promise<DataError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(DataError);
  return error as DataError;
}

/** A source that only streams: no random access, so Parquet must be buffered. */
function streamOnly(source: ShardSource): ShardSource {
  return { name: source.name, size: source.size, chunks: () => source.chunks() };
}

describe('JSON array shards', () => {
  it('reads CoSQA: code + doc, not the docstring_tokens string; lines where records start', async () => {
    const { examples, report } = await readShard(sourceFromBytes('cosqa_train.json', fixture('cosqa_train.json')));
    expect(report).toMatchObject({ format: 'json', examples: 3, skipped: 0, warnings: [] });
    expect(report.mapping).toEqual({ code: 'code', query: 'doc', codeIsTokens: false, queryIsTokens: false, id: 'idx' });
    expect(examples.map((e) => e.line)).toEqual([2, 10, 18]);
    expect(examples[1]?.code).toBe('def size(xs):\n    """Number of [items] in xs, e.g. {a, b}."""\n    return len(xs)');
    expect(examples[2]).toEqual({ code: 'def n(a):\n    return len(a)', query: 'python 数组 长度 \\"quoted\\"', line: 18, id: 'cosqa-train-2' });
  });

  it('gives the same records for every chunk size down to one byte', async () => {
    const bytes = fixture('cosqa_train.json');
    const whole = await readShard(sourceFromBytes('c.json', bytes));
    for (const size of [1, 2, 3, 5, 7, 64]) {
      const { examples, report } = await readShard(sourceFromBytes('c.json', bytes, size));
      expect(examples, `chunk size ${size}`).toEqual(whole.examples);
      expect(report.warnings).toEqual([]);
    }
  });

  it('skips a malformed element and elements that are not objects, keeping the rest', async () => {
    const text = '[\n{"code": "a", "doc": "q"},\n{"code": "b", "doc": },\n7,\n"str]ing",\n[1, {"x": 2}],\n{"code": "c", "doc": "q"}\n]\n';
    const { examples, report } = await readShard(sourceFromBytes('m.json', encode(text), 4));
    expect(examples.map((e) => [e.code, e.line])).toEqual([['a', 2], ['c', 7]]);
    expect(report.skipped).toBe(4);
    expect(report.firstSkipped.map((s) => s.line)).toEqual([3, 4, 5, 6]);
    expect(report.firstSkipped[0]?.reason).toMatch(/^not valid JSON/);
    expect(report.firstSkipped.slice(1).map((s) => s.reason)).toEqual([
      'not a JSON object (a number)',
      'not a JSON object (a string)',
      'not a JSON object (a list)',
    ]);
  });

  it('reports an array cut short: the unfinished record is skipped, a warning says so', async () => {
    const text = '[{"code": "a", "doc": "q"}, {"code": "b", "doc": "q"}, {"code": "c", "do';
    const { examples, report } = await readShard(sourceFromBytes('cut.json', encode(text)));
    expect(examples.map((e) => e.code)).toEqual(['a', 'b']);
    expect(report.firstSkipped).toEqual([{ line: 1, reason: 'the file ends inside this record (was it cut short?)' }]);
    expect(report.warnings).toEqual(["the file ends before the array's closing ] (was it cut short?)"]);
  });

  it('notes text after the closing bracket, and reads JSON inside gzip', async () => {
    const text = '[{"code": "a", "doc": "q"}]\n\n]garbage';
    const { report } = await readShard(sourceFromBytes('t.json.gz', gzipSync(encode(text))));
    expect(report).toMatchObject({ format: 'json', gzip: true, examples: 1 });
    expect(report.warnings).toEqual(["text after the array's closing ] (line 3) was ignored"]);
  });

  it('refuses an empty array', async () => {
    expect((await failure(readShard(sourceFromBytes('e.json', encode('[ ]'))))).message).toBe('e.json holds no records. Pick another file.');
  });
});

describe('Parquet shards', () => {
  it('reads CodeSearchNet columns: token lists, row numbers as lines, nulls and empties skipped', async () => {
    const source = sourceFromBytes('train-00000.parquet', fixture('csn_tokens.parquet'));
    const { examples, report } = await readShard(source);
    expect(report).toMatchObject({ format: 'parquet', examples: 3, skipped: 2, bytesRead: source.size });
    expect(report.mapping).toEqual({ code: 'code_tokens', query: 'docstring_tokens', codeIsTokens: true, queryIsTokens: true, id: 'url' });
    expect(examples[2]).toEqual({ code: 'def c ( s ) : return "é" + s', query: 'Prefix with é .', line: 3, id: 'u3' });
    expect(report.firstSkipped).toEqual([
      { line: 4, reason: 'missing field "docstring_tokens"' },
      { line: 5, reason: 'empty code (field "code_tokens")' },
    ]);
  });

  it('reads the same rows from a stream (buffered), a Blob and a file on disk', async () => {
    const bytes = fixture('csn_tokens.parquet');
    const expected = (await readShard(sourceFromBytes('a.parquet', bytes))).examples;
    const sources = [
      streamOnly(sourceFromBytes('a.parquet', bytes, 100)),
      sourceFromBlob(new Blob([new Uint8Array(bytes)]), 'a.parquet'),
      await sourceFromPath(new URL('csn_tokens.parquet', FIXTURES).pathname),
    ];
    for (const source of sources) expect((await readShard(source)).examples).toEqual(expected);
  });

  it('reads CoSQA columns (Snappy) as code + doc, and takes an explicit mapping', async () => {
    const bytes = fixture('cosqa.parquet');
    const detected = await readShard(sourceFromBytes('cosqa.parquet', bytes));
    expect(detected.report.mapping).toEqual({ code: 'code', query: 'doc', codeIsTokens: false, queryIsTokens: false, id: 'idx' });
    expect(detected.examples[2]?.query).toBe('python 数组 长度');
    const chosen = await readShard(sourceFromBytes('cosqa.parquet', bytes), { mapping: { code: 'code_tokens', query: 'doc' } });
    expect(chosen.examples[0]).toEqual({ code: 'def exists ( p ) : return os . path . exists ( p )', query: 'python check if file exists', line: 1 });
  });

  it('names the columns there are when a chosen column is missing', async () => {
    const error = await failure(readShard(sourceFromBytes('c.parquet', fixture('cosqa.parquet')), { mapping: { code: 'body', query: 'doc' } }));
    expect(error.message).toMatch(/"body" chosen for code\. Fields found: "idx", "doc", "code", "code_tokens", "docstring_tokens"\./);
  });

  it('names an unsupported column codec and says how to re-save the file', async () => {
    const error = await failure(readShard(sourceFromBytes('g.parquet', fixture('gzip_codec.parquet'))));
    expect(error.message).toMatch(/^g\.parquet: its columns are compressed with GZIP, which this reader cannot decompress .*compression="snappy"/);
  });

  it('refuses a Parquet file whose footer is missing', async () => {
    const bytes = fixture('cosqa.parquet');
    const error = await failure(readShard(sourceFromBytes('cut.parquet', bytes.subarray(0, bytes.byteLength - 10))));
    expect(error.message).toMatch(/^cut\.parquet: not a readable Parquet file \(.*\)\. Check that it was fully downloaded\.$/);
  });
});
