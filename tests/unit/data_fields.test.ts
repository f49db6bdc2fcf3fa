import { describe, expect, it } from 'vitest';
import { detectFields } from '../../src/engine/data';

describe('detectFields', () => {
  it('prefers token lists in CodeSearchNet records', () => {
    const record = { code: 'def f(): pass', code_tokens: ['def', 'f'], docstring: 'Doc.', docstring_tokens: ['Doc', '.'], url: 'u', original_string: 's' };
    expect(detectFields([record])).toEqual({ code: 'code_tokens', query: 'docstring_tokens', codeIsTokens: true, queryIsTokens: true, id: 'url' });
  });

  it('takes function_tokens where AdvTest valid/test have no code_tokens, and idx when there is no url', () => {
    const record = { function: 'def Func(arg_0): pass', function_tokens: ['def', 'Func'], docstring_tokens: ['Doc'], idx: 7 };
    expect(detectFields([record])).toEqual({ code: 'function_tokens', query: 'docstring_tokens', codeIsTokens: true, queryIsTokens: true, id: 'idx' });
  });

  it('reads CoSQA as code + doc: its *_tokens fields are plain strings, and docstring_tokens is not the query', () => {
    const record = { idx: 'cosqa-train-0', doc: 'python read file', code: 'def r(p): ...', code_tokens: 'def r ( p )', docstring_tokens: 'Read .', label: 1 };
    expect(detectFields([record])).toEqual({ code: 'code', query: 'doc', codeIsTokens: false, queryIsTokens: false, id: 'idx' });
  });

  it('falls back along the priority lists (original_string, docstring) and leaves id out when there is none', () => {
    expect(detectFields([{ original_string: 'x', docstring: 'y' }])).toEqual({ code: 'original_string', query: 'docstring', codeIsTokens: false, queryIsTokens: false });
  });

  it('returns null without a code field or without a query field', () => {
    expect(detectFields([{ code: 'x' }])).toBeNull();
    expect(detectFields([{ doc: 'y', text: 'z' }])).toBeNull();
    expect(detectFields([])).toBeNull();
  });

  it('needs a field in at least half of the sample: a few null docstrings do not hide it, a rare field does not win', () => {
    const common = { code: 'c', docstring: 'd' };
    const sample: Record<string, unknown>[] = [common, common, { code: 'c', docstring: null }, { code: 'c', code_tokens: ['c'], docstring: 'd' }];
    // code_tokens is in 1 of 4 records: code wins; docstring is usable in 3 of 4: it stays the query.
    expect(detectFields(sample)).toMatchObject({ code: 'code', query: 'docstring' });
    const mostlyTokens = [...sample, { code_tokens: ['a'], docstring: 'd' }, { code_tokens: ['b'], docstring: 'd' }, { code_tokens: ['c'] }];
    expect(detectFields(mostlyTokens)).toMatchObject({ code: 'code_tokens', codeIsTokens: true });
  });

  it('ignores values of the wrong type when detecting (numbers, lists of non-strings)', () => {
    expect(detectFields([{ code_tokens: [1, 2], code: 'x', doc: 'q' }])).toMatchObject({ code: 'code', codeIsTokens: false });
    expect(detectFields([{ code: 5, function: 'f', doc: 'q' }])).toMatchObject({ code: 'function' });
  });
});
