/**
 * The bundled sample (tools/make_sample.py): the tokenizer built from its vocab.json + merges.txt reproduces the
 * ids of an independent GPT-2-algorithm encoder (tools/bpe_reference.py), the shards follow the AdvTest schema
 * with valid/test normalized, and the random demo model matches its config.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSafeTensors } from '../../src/engine/io/safetensors';
import { buildInput, tokenizerFromVocabMerges } from '../../src/engine/io/tokenizer';
import { configFromHf } from '../../src/engine/model/config';
import { baseParams } from '../../src/engine/model/params';

const SAMPLE = join(__dirname, '..', '..', 'public', 'sample');
const MODEL = join(SAMPLE, 'model');

interface Cases {
  readonly cases: readonly { readonly text: string; readonly tokens: readonly string[]; readonly ids: readonly number[] }[];
  readonly inputs: readonly { readonly text: string; readonly length: number; readonly ids: readonly number[]; readonly truncated: boolean }[];
}

interface Example {
  readonly repo: string;
  readonly path: string;
  readonly func_name: string;
  readonly original_string: string;
  readonly language: string;
  readonly code: string;
  readonly code_tokens: readonly string[];
  readonly docstring: string;
  readonly docstring_tokens: readonly string[];
  readonly url: string;
  readonly idx: number;
}

const STRING_FIELDS = ['repo', 'path', 'func_name', 'original_string', 'language', 'code', 'docstring', 'url'] as const;

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function readShard(name: string): Example[] {
  const text = readFileSync(join(SAMPLE, `${name}.jsonl`), 'utf8');
  return text.slice(0, -1).split('\n').map((line) => JSON.parse(line) as Example);
}

/** Every problem with the AdvTest fields of a shard, as `line N: field`. */
function schemaProblems(rows: readonly Example[]): string[] {
  const problems: string[] = [];
  rows.forEach((example, i) => {
    const row = example as unknown as Record<string, unknown>;
    for (const field of STRING_FIELDS) if (typeof row[field] !== 'string') problems.push(`line ${i + 1}: ${field}`);
    for (const field of ['code_tokens', 'docstring_tokens']) {
      const list = row[field];
      const ok = Array.isArray(list) && list.length > 0 && list.every((t) => typeof t === 'string' && t.trim().length > 0);
      if (!ok) problems.push(`line ${i + 1}: ${field}`);
    }
    if (!Number.isInteger(row.idx)) problems.push(`line ${i + 1}: idx`);
  });
  return problems;
}

function sampleTokenizer() {
  const vocab = readJson(join(MODEL, 'vocab.json')) as Record<string, number>;
  const merges = readFileSync(join(MODEL, 'merges.txt'), 'utf8').split('\n');
  return { vocab, merges, tok: tokenizerFromVocabMerges(vocab, merges) };
}

describe('sample tokenizer', () => {
  const cases = readJson(join(__dirname, '..', 'fixtures', 'tokenizer', 'cases.json')) as Cases;
  const { vocab, merges, tok } = sampleTokenizer();

  it('has the RoBERTa layout: specials first, 256 byte symbols, merges, <mask> last', () => {
    const ids = Object.values(vocab).sort((a, b) => a - b);
    expect(ids).toEqual([...ids.keys()]);
    expect([vocab['<s>'], vocab['<pad>'], vocab['</s>'], vocab['<unk>'], vocab['<mask>']]).toEqual([0, 1, 2, 3, ids.length - 1]);
    const byteSymbols = Object.entries(vocab).filter(([, id]) => id >= 4 && id < 260);
    expect(byteSymbols.every(([symbol]) => [...symbol].length === 1)).toBe(true);
    expect(merges[0]).toBe('#version: 0.2');
    expect(merges.every((m, i) => i === 0 || m === '' || m.split(' ').length === 2)).toBe(true);
    expect(tok.vocabSize).toBe((readJson(join(MODEL, 'config.json')) as { vocab_size: number }).vocab_size);
  });

  it.each(cases.cases.map((c) => [JSON.stringify(c.text).slice(0, 60), c] as const))('encodes %s as the reference does', (_, c) => {
    expect(tok.encode(c.text)).toEqual(c.ids);
  });

  it('builds CodeXGLUE inputs as the reference does: <s> … </s>, padding, truncation', () => {
    expect(cases.inputs.some((c) => c.truncated) && cases.inputs.some((c) => !c.truncated)).toBe(true);
    for (const c of cases.inputs) {
      const built = buildInput(tok, c.text, c.length);
      expect([...built.ids], `${JSON.stringify(c.text)} at length ${c.length}`).toEqual(c.ids);
      expect(built.truncated).toBe(c.truncated);
    }
  });
});

describe('sample shards', () => {
  const train = readShard('train');
  const valid = readShard('valid');
  const test = readShard('test');
  const testRaw = readShard('test_raw');

  it('are newline-terminated JSONL with every AdvTest field on every line', () => {
    for (const name of ['train', 'valid', 'test', 'test_raw']) expect(readFileSync(join(SAMPLE, `${name}.jsonl`), 'utf8').endsWith('}\n')).toBe(true);
    for (const [name, rows] of [['train', train], ['valid', valid], ['test', test], ['test_raw', testRaw]] as const) {
      expect(schemaProblems(rows), name).toEqual([]);
    }
  });

  it('have the expected sizes, unique ids and urls, and Python only', () => {
    expect([train.length, valid.length, test.length, testRaw.length]).toEqual([2000, 200, 200, 200]);
    const all = [...train, ...valid, ...test];
    expect(new Set(all.map((e) => e.idx)).size).toBe(all.length);
    expect(new Set(all.map((e) => e.url)).size).toBe(all.length);
    expect(all.every((e) => e.language === 'python')).toBe(true);
  });

  it('keep the names in train and test_raw, with the docstring in code but not in code_tokens', () => {
    for (const e of [...train, ...testRaw]) {
      expect(e.code).toBe(e.original_string);
      expect(e.code_tokens.slice(0, 3)).toEqual(['def', e.func_name, '(']);
      expect(e.code).toContain(`"""${e.docstring}"""`);
      expect(e.code_tokens.some((t) => t.includes('"""'))).toBe(false);
    }
  });

  it('normalize valid and test as AdvTest does, leaving no original function name', () => {
    for (const e of [...valid, ...test]) {
      expect(e.code.startsWith('def Func(arg_0')).toBe(true);
      expect(e.code_tokens.slice(0, 4)).toEqual(['def', 'Func', '(', 'arg_0']);
      expect(e.code_tokens).not.toContain(e.func_name);
      // The docstring stays verbatim in `code`, as in AdvTest: look at the rest.
      expect(e.code.replace(`"""${e.docstring}"""`, '')).not.toMatch(new RegExp(`\\b${e.func_name}\\b`));
      expect(e.original_string.startsWith(`def ${e.func_name}(`)).toBe(true);
    }
  });

  it('pair test with test_raw line by line, and repeat no normalized function within a split', () => {
    testRaw.forEach((raw, i) => {
      const norm = test[i]!;
      expect([norm.idx, norm.url, norm.docstring, norm.original_string]).toEqual([raw.idx, raw.url, raw.docstring, raw.original_string]);
      expect(norm.code_tokens.length).toBe(raw.code_tokens.length);
    });
    for (const split of [valid, test]) expect(new Set(split.map((e) => e.code_tokens.join(' '))).size).toBe(split.length);
  });
});

describe('sample demo model', () => {
  const config = configFromHf(readJson(join(MODEL, 'config.json')));
  const file = readSafeTensors(new Uint8Array(readFileSync(join(MODEL, 'model.safetensors'))), 'model.safetensors');

  it('is the documented tiny RoBERTa', () => {
    expect(config).toMatchObject({ hidden: 64, layers: 2, heads: 4, intermediate: 128, maxPositions: 130, typeVocabSize: 1, padTokenId: 1, bosTokenId: 0, eosTokenId: 2 });
    expect(config.vocabSize).toBe(sampleTokenizer().tok.vocabSize);
  });

  it('holds exactly the base parameters, F32, with the shapes params.ts expects', () => {
    const specs = baseParams(config);
    expect([...file.tensors.keys()].sort()).toEqual(specs.map((s) => s.name).sort());
    for (const spec of specs) {
      const t = file.tensors.get(spec.name)!;
      expect([t.dtype, ...t.shape], spec.name).toEqual(['F32', ...spec.shape]);
    }
  });

  it('is initialized as BERT does: N(0, 0.02) weights, zero biases and pad rows, unit LayerNorm', () => {
    const C = config.hidden;
    for (const [name, t] of file.tensors) {
      const data = [...t.data];
      if (name.endsWith('.bias')) expect(data.every((v) => v === 0), name).toBe(true);
      else if (name.includes('LayerNorm')) expect(data.every((v) => v === 1), name).toBe(true);
      else if (data.length >= 4096) {
        const mean = data.reduce((a, b) => a + b, 0) / data.length;
        const std = Math.sqrt(data.reduce((a, b) => a + (b - mean) ** 2, 0) / data.length);
        expect(Math.abs(mean), name).toBeLessThan(0.002);
        expect(std, name).toBeGreaterThan(0.0185);
        expect(std, name).toBeLessThan(0.0215);
      }
    }
    for (const name of ['embeddings.word_embeddings.weight', 'embeddings.position_embeddings.weight']) {
      const rows = file.tensors.get(name)!.data;
      expect([...rows.subarray(config.padTokenId * C, (config.padTokenId + 1) * C)].every((v) => v === 0), `${name} pad row`).toBe(true);
      expect([...rows.subarray(0, C)].some((v) => v !== 0), `${name} row 0`).toBe(true);
    }
  });
});
