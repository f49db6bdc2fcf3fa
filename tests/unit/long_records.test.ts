/**
 * A huge record costs what its beginning costs (issue 12 problem 4): the encoder input takes the first
 * length − 2 tokens from a prefix of the text, and they are exactly the tokens full tokenization gives — on
 * real code with words, on one giant word, on whitespace runs and on multi-byte text.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildInput, leadingTokens, tokenCount, tokenizerFromVocabMerges } from '../../src/engine/io/tokenizer';

const dir = 'public/sample/model';
const tok = tokenizerFromVocabMerges(JSON.parse(readFileSync(join(dir, 'vocab.json'), 'utf8')) as Record<string, number>, readFileSync(join(dir, 'merges.txt'), 'utf8').split('\n'));
const code = readFileSync('public/sample/train.jsonl', 'utf8').split('\n').slice(0, 200).map((l) => (JSON.parse(l) as { code?: string; original_string?: string; function?: string }).code ?? '').join('\n');

describe('tokenizing only what the input can use', () => {
  it.each([
    ['code with words', code.repeat(3)],
    ['one giant word', 'x'.repeat(50_000) + 'y'.repeat(50_000)],
    ['whitespace runs', `${'    '.repeat(5000)}def f():\n${'\t'.repeat(3000)}return 1`.repeat(4)],
    ['multi-byte text', 'запрос поиска кода 検索 😀 '.repeat(4000)],
  ])('%s: the first length − 2 tokens equal full tokenization', (_, text) => {
    const full = tok.encode(text);
    for (const length of [16, 256, 512]) {
      const need = length - 2;
      const lead = leadingTokens(tok, text, need);
      expect(lead.ids.slice(0, need)).toEqual(full.slice(0, need));
      const input = buildInput(tok, text, length);
      expect(Array.from(input.ids.subarray(1, 1 + Math.min(need, full.length)))).toEqual(full.slice(0, need));
      expect(input.truncated).toBe(full.length > need);
    }
    expect(tokenCount(tok, text, 8192)).toBe(Math.min(full.length, 8192));
  });

  it('a 20 MB single-word record is cut before tokenizing: its input costs milliseconds, not seconds', () => {
    const giant = 'a'.repeat(20_000_000);
    const started = Date.now();
    const input = buildInput(tok, giant, 256);
    expect(input.truncated).toBe(true);
    expect(input.ids[255]).toBe(tok.eos);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
