import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DataError, openShard, readShard, sourceFromBytes, type ShardProgress } from '../../src/engine/data';
import { sourceFromPath } from '../../src/engine/data/node_source';

const FIXTURES = new URL('../fixtures/data/', import.meta.url);
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, FIXTURES)));
const fixturePath = (name: string): string => new URL(name, FIXTURES).pathname;
const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

/** The bytes cut at the given offsets, as an async iterable of chunks. */
function cutAt(bytes: Uint8Array, cuts: readonly number[]): AsyncIterable<Uint8Array> {
  const edges = [0, ...cuts, bytes.byteLength];
  return {
    async *[Symbol.asyncIterator]() {
      for (let i = 0; i + 1 < edges.length; i++) yield bytes.slice(edges[i], edges[i + 1]);
    },
  };
}

async function failure(promise: Promise<unknown>): Promise<DataError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(DataError);
  return error as DataError;
}

describe('JSONL shards', () => {
  it('reads CodeSearchNet lines: token lists joined with single spaces, url as id, UTF-8 intact', async () => {
    const { examples, report } = await readShard(sourceFromBytes('python_train_0.jsonl', fixture('csn_python_train.jsonl')));
    expect(report).toMatchObject({ format: 'jsonl', gzip: false, examples: 3, skipped: 0, firstSkipped: [], warnings: [] });
    expect(report.mapping).toEqual({ code: 'code_tokens', query: 'docstring_tokens', codeIsTokens: true, queryIsTokens: true, id: 'url' });
    expect(examples[0]?.code).toBe('def to_key_val_list ( value ) : if value is None : return None return list ( value )');
    expect(examples[1]).toEqual({
      code: "def greet ( n ) : return 'héllo ' + n",
      query: 'Greet in 中文 and émoji 😀 .',
      line: 2,
      id: 'https://github.com/ex/unicode/blob/d4e5f6/u.py#L1-L2',
    });
    expect(examples.map((e) => e.line)).toEqual([1, 2, 3]);
  });

  it('reads AdvTest test lines through function_tokens, with the url as id', async () => {
    const { examples, report } = await readShard(sourceFromBytes('test.jsonl', fixture('advtest_test.jsonl')));
    expect(report.mapping).toEqual({ code: 'function_tokens', query: 'docstring_tokens', codeIsTokens: true, queryIsTokens: true, id: 'url' });
    expect(examples[1]?.code).toBe('def Func ( arg_0 , arg_1 = None ) : return arg_1 or arg_0');
    expect(examples[1]?.query).toBe('Pick the override if given .');
  });

  it('gives the same examples however the bytes are cut, including inside multi-byte characters', async () => {
    const bytes = fixture('csn_python_train.jsonl');
    const whole = await readShard(cutAt(bytes, []));
    const multiByteStarts = [...bytes.keys()].filter((i) => (bytes[i] ?? 0) >= 0xc0);
    expect(multiByteStarts.length).toBeGreaterThan(5); // é, 中, 文, 😀 are in the fixture
    for (let cut = 1; cut < bytes.byteLength; cut++) {
      const { examples } = await readShard(cutAt(bytes, [cut]));
      expect(examples, `cut at byte ${cut}`).toEqual(whole.examples);
    }
    const everyByte = await readShard(sourceFromBytes('x.jsonl', bytes, 1));
    expect(everyByte.examples).toEqual(whole.examples);
  });

  it('skips bad lines, counts them, and names their line numbers and reasons', async () => {
    const { examples, report } = await readShard(sourceFromBytes('bad.jsonl', fixture('bad_lines.jsonl'), 7));
    expect(examples.map((e) => e.line)).toEqual([1, 8, 11, 13]);
    expect(examples.map((e) => e.id)).toEqual(['u1', 'u8', 'u11', 'u13']);
    expect(report.examples).toBe(4);
    expect(report.skipped).toBe(7);
    expect(report.firstSkipped.map((s) => s.line)).toEqual([2, 4, 5, 6, 7, 9, 12]);
    const reasons = report.firstSkipped.map((s) => s.reason);
    expect(reasons[0]).toMatch(/^not valid JSON/);
    expect(reasons[1]).toBe('missing field "docstring_tokens"');
    expect(reasons[2]).toBe('field "code_tokens" is a string, expected a list of strings');
    expect(reasons[3]).toBe('empty query (field "docstring_tokens")');
    expect(reasons[4]).toBe('not a JSON object (a list)');
    expect(reasons[5]).toBe('field "code_tokens" has a number at position 1, expected strings');
    expect(reasons[6]).toBe('empty code (field "code_tokens")');
  });

  it('lists only the first skipped lines but counts all of them', async () => {
    const lines = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? '{"code": "x", "doc": "y"}' : '{oops'));
    const { report } = await readShard(cutAt(new TextEncoder().encode(lines.join('\n')), []), { listSkipped: 3 });
    expect(report.skipped).toBe(20);
    expect(report.firstSkipped.map((s) => s.line)).toEqual([2, 4, 6]);
  });

  it('accepts CRLF line ends, a byte-order mark, and a last line without a newline', async () => {
    const text = '\uFEFF{"code": "a", "doc": "q1"}\r\n\r\n{"code": "b", "doc": "q2"}';
    const { examples } = await readShard(cutAt(new TextEncoder().encode(text), [2]));
    expect(examples).toEqual([
      { code: 'a', query: 'q1', line: 1 },
      { code: 'b', query: 'q2', line: 3 },
    ]);
  });

  it('skips a line that is not valid UTF-8 and keeps its neighbours', async () => {
    const enc = new TextEncoder();
    const bytes = new Uint8Array([...enc.encode('{"code": "a", "doc": "q"}\n{"code": "'), 0xff, 0xfe, ...enc.encode('", "doc": "q"}\n{"code": "c", "doc": "q"}\n')]);
    const { examples, report } = await readShard(cutAt(bytes, []));
    expect(examples.map((e) => e.code)).toEqual(['a', 'c']);
    expect(report.firstSkipped).toEqual([{ line: 2, reason: 'not valid UTF-8 text' }]);
  });

  it('drops a line over 64 MiB without buffering it, and reads on', async () => {
    const filler = new Uint8Array(1024 * 1024).fill(0x78);
    const chunks = (async function* () {
      yield encode('{"code": "a", "doc": "q"}\n{"code": "');
      for (let i = 0; i < 65; i++) yield filler;
      yield encode('", "doc": "q"}\n{"code": "c", "doc": "q"}\n');
    })();
    const { examples, report } = await readShard(chunks);
    expect(examples.map((e) => [e.code, e.line])).toEqual([['a', 1], ['c', 3]]);
    expect(report.firstSkipped).toEqual([{ line: 2, reason: 'longer than 64 MiB (is this really JSON Lines?)' }]);
  });

  it('uses an explicit mapping instead of detection', async () => {
    const { examples, report } = await readShard(sourceFromBytes('t.jsonl', fixture('csn_python_train.jsonl')), {
      mapping: { code: 'code', query: 'docstring', id: 'func_name' },
    });
    expect(report.mapping).toEqual({ code: 'code', query: 'docstring', codeIsTokens: false, queryIsTokens: false, id: 'func_name' });
    expect(examples[2]).toEqual({ code: 'def add(a, b):\n    return a + b', query: 'Add two numbers.', line: 3, id: 'add' });
  });

  it('explains a chosen field that no record has, listing the fields there are', async () => {
    const error = await failure(readShard(sourceFromBytes('t.jsonl', fixture('advtest_test.jsonl')), { mapping: { code: 'body', query: 'doc' } }));
    expect(error.message).toMatch(/^t\.jsonl: no record among the first 2 has text or a token list in the field "body" chosen for code/);
    expect(error.message).toContain('"function_tokens"');
  });

  it('explains records in which no code/query fields can be found', async () => {
    const text = '{"a": 1, "b": "x"}\n{"a": 2, "b": "y"}\n';
    const error = await failure(readShard(cutAt(new TextEncoder().encode(text), []), { name: 'odd.jsonl' }));
    expect(error.message).toMatch(/^odd\.jsonl: could not tell which fields hold the code and the query\. The records have the fields "a", "b"/);
  });

  it('reports bytes read as they arrive, ending at the file size', async () => {
    const bytes = fixture('csn_python_train.jsonl');
    const seen: ShardProgress[] = [];
    await readShard(sourceFromBytes('p.jsonl', bytes, 256), { onProgress: (p) => seen.push(p) });
    expect(seen.length).toBeGreaterThanOrEqual(Math.ceil(bytes.byteLength / 256));
    for (let i = 1; i < seen.length; i++) expect(seen[i]?.bytesRead).toBeGreaterThanOrEqual(seen[i - 1]?.bytesRead ?? 0);
    expect(seen.at(-1)).toEqual({ bytesRead: bytes.byteLength, totalBytes: bytes.byteLength, examples: 3, skipped: 0 });
  });

  it('reads a ReadableStream and cancels it when the consumer stops early', async () => {
    // More records than the 32 the mapping is detected from, so the stream is still open at the first example.
    const lines = Array.from({ length: 200 }, (_, i) => JSON.stringify({ code: `f${i}`, doc: `q${i}` }));
    const bytes = new TextEncoder().encode(lines.join('\n'));
    let cancelled = false;
    let offset = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= bytes.byteLength) controller.close();
        else controller.enqueue(bytes.slice(offset, (offset += 100)));
      },
      cancel() {
        cancelled = true;
      },
    });
    const reader = openShard(stream, { name: 'stream.jsonl' });
    for await (const example of reader) {
      expect(example.line).toBe(1);
      break;
    }
    expect(cancelled).toBe(true);
  });

  it('reads a file from disk in Node', async () => {
    const { examples, report } = await readShard(await sourceFromPath(fixturePath('advtest_test.jsonl')));
    expect(report.name).toBe('advtest_test.jsonl');
    expect(examples).toHaveLength(2);
    await expect(sourceFromPath(fixturePath('no_such_file.jsonl'))).rejects.toThrow(/^cannot open .*no_such_file\.jsonl/);
  });
});

describe('gzip and unreadable files', () => {
  it('reads JSONL.gz by its magic bytes, whatever the name, reporting compressed bytes', async () => {
    const plain = fixture('csn_python_train.jsonl');
    const gz = gzipSync(plain);
    const seen: number[] = [];
    const expected = (await readShard(cutAt(plain, []))).examples;
    for (const name of ['python_train_0.jsonl.gz', 'python_train_0.jsonl']) {
      const { examples, report } = await readShard(sourceFromBytes(name, gz, 97), { onProgress: (p) => seen.push(p.bytesRead) });
      expect(report).toMatchObject({ format: 'jsonl', gzip: true, examples: 3, bytesRead: gz.byteLength });
      expect(examples).toEqual(expected);
    }
    expect(Math.max(...seen)).toBe(gz.byteLength);
  });

  it('reads every member of a multi-member gzip file (as pigz and bgzip write)', async () => {
    const members = [gzipSync(encode('{"code": "a", "doc": "q"}\n')), gzipSync(encode('{"code": "b", "doc": "q"}\n'))];
    const { examples } = await readShard(sourceFromBytes('two.jsonl.gz', new Uint8Array([...members[0] ?? [], ...members[1] ?? []])));
    expect(examples.map((e) => [e.code, e.line])).toEqual([['a', 1], ['b', 2]]);
  });

  it('refuses a .gz file that is not gzip, saying what its first bytes are', async () => {
    const error = await failure(readShard(sourceFromBytes('train.jsonl.gz', fixture('advtest_test.jsonl'))));
    expect(error.message).toMatch(/^train\.jsonl\.gz is not gzip-compressed \(its first bytes are 7b 22 75 72 6c 22 3a 20, which look like JSON text\)/);
  });

  it('refuses gzip data that is cut short', async () => {
    const gz = gzipSync(fixture('csn_python_train.jsonl'));
    const error = await failure(readShard(sourceFromBytes('cut.jsonl.gz', gz.subarray(0, gz.byteLength - 20))));
    expect(error.message).toMatch(/^cut\.jsonl\.gz: the gzip data is corrupt or cut short/);
  });

  it('refuses binary garbage up front with the first bytes in hex', async () => {
    const garbage = new Uint8Array(4096);
    let state = 12345;
    for (let i = 0; i < garbage.length; i++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      garbage[i] = state >>> 24;
    }
    garbage[0] = 0x93; // not '{', '[' or a magic byte
    const error = await failure(readShard(sourceFromBytes('blob.bin', garbage)));
    expect(error.message).toMatch(/^blob\.bin is not JSONL, JSON or Parquet: its first bytes are 93 [0-9a-f ]+\. The lab reads JSON Lines/);
  });

  it('refuses garbage that happens to start with "{" once no line parses', async () => {
    const garbage = new Uint8Array([0x7b, 0x00, 0xff, 0x13, 0x0a, 0x81, 0x7b, 0x7d, 0x7d, 0x0a, 0x11]);
    const error = await failure(readShard(sourceFromBytes('blob.jsonl', garbage)));
    expect(error.message).toMatch(/^blob\.jsonl: none of its 3 records could be used \(line 1: not valid UTF-8 text; line 2: not valid UTF-8 text; line 3: not valid JSON/);
  });

  it('names what a wrong file looks like: ZIP, Git LFS pointer, HTML page', async () => {
    const cases: [string, Uint8Array][] = [
      ['python.zip', new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00])],
      ['train.jsonl', new TextEncoder().encode('version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 1\n')],
      ['train.jsonl', new TextEncoder().encode('\n<!DOCTYPE html><html></html>')],
    ];
    const expected = [/a ZIP archive: unzip it/, /a Git LFS pointer/, /an HTML or XML page/];
    for (const [i, [name, bytes]] of cases.entries()) {
      const error = await failure(readShard(sourceFromBytes(name, bytes)));
      expect(error.message).toMatch(expected[i] ?? /never/);
    }
  });

  it('refuses an empty file, plain or gzip-compressed', async () => {
    expect((await failure(readShard(sourceFromBytes('e.jsonl', new Uint8Array(0))))).message).toMatch(/^e\.jsonl is empty/);
    expect((await failure(readShard(sourceFromBytes('e.jsonl', new TextEncoder().encode(' \n\n '))))).message).toMatch(/is empty/);
    const gz = gzipSync(new Uint8Array(0));
    expect((await failure(readShard(sourceFromBytes('e.jsonl.gz', gz)))).message).toMatch(/^e\.jsonl\.gz is empty once decompressed/);
  });
});
