/**
 * Classification pair inputs are what transformers builds: RobertaTokenizer(a, b, truncation=True, max_length=T,
 * padding='max_length') on real code (the bundled standard-library sample) at lengths where neither, one or both
 * texts are cut, and on the rule's boundary cases — the same ids, token for token. (tokenizers ≥ 0.23 counts a
 * long text only up to the first word that reaches T, which decides which text keeps the odd token.)
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPairInput, pairCountedLength, pairLengths, tokenizerFromVocabMerges } from '../../src/engine/io/tokenizer';
import { python } from '../helpers/pyref';
import { REPO } from '../helpers/pyref_paths';
import { Rng } from '../helpers/random';

const MODEL = join(REPO, 'public/sample/model');

const TOKENIZE = `
import json, sys
from transformers import AutoTokenizer
tok = AutoTokenizer.from_pretrained(sys.argv[1])
cases = json.load(open(sys.argv[2]))
print(json.dumps([tok(a, b, truncation=True, max_length=t, padding="max_length")["input_ids"] for a, b, t in cases]))
`;

describe('pair inputs', () => {
  it("equal transformers' RobertaTokenizer pair encoding with longest_first truncation, on real code", () => {
    const records = readFileSync(join(REPO, 'public/sample/probe.jsonl'), 'utf8').split('\n').filter((l) => l).slice(0, 40).map((l) => (JSON.parse(l) as { code: string }).code);
    const rng = new Rng(11);
    const words = (n: number): string => Array.from({ length: n }, (_, i) => `w${i}`).join(' ');
    const cases: [string, string, number][] = [
      ...Array.from({ length: 120 }, (): [string, string, number] => [records[rng.int(0, 40)]!.slice(0, rng.int(5, 400)), records[rng.int(0, 40)]!.slice(0, rng.int(5, 400)), [8, 12, 33, 64][rng.int(0, 4)]!]),
      [words(3), words(40), 16], // the short text keeps its tokens
      [words(40), words(3), 16],
      [words(9), words(9), 13], // both cut, odd room
      [words(20), words(9), 9], // the shorter alone fills the length
      ['x', 'y', 6],
    ];
    const dir = mkdtempSync(join(tmpdir(), 'lab-pairs-'));
    writeFileSync(join(dir, 'cases.json'), JSON.stringify(cases));
    const want = JSON.parse(python('-c', [TOKENIZE, MODEL, join(dir, 'cases.json')]).trim()) as number[][];
    const vocab = JSON.parse(readFileSync(join(MODEL, 'vocab.json'), 'utf8')) as Record<string, number>;
    const tok = tokenizerFromVocabMerges(vocab, readFileSync(join(MODEL, 'merges.txt'), 'utf8').split('\n'));
    cases.forEach(([a, b, t], i) => expect([...buildPairInput(tok, a, b, t).ids], `case ${i}: T=${t}`).toEqual(want[i]));
  });

  it('keeps both texts whole when they fit, else the shorter when the longer can take the rest, else halves', () => {
    expect(pairLengths(2, 3, 10)).toEqual([2, 3]);
    expect(pairLengths(3, 40, 16)).toEqual([3, 9]);
    expect(pairLengths(40, 3, 16)).toEqual([9, 3]);
    expect(pairLengths(9, 9, 13)).toEqual([4, 5]); // a tie: the second keeps the odd token
    expect(pairLengths(12, 10, 13)).toEqual([5, 4]); // else the longer does
    expect(pairLengths(20, 9, 9)).toEqual([3, 2]);
  });

  it('counts a long text as transformers does: up to the first word that reaches the length', () => {
    const vocab = JSON.parse(readFileSync(join(MODEL, 'vocab.json'), 'utf8')) as Record<string, number>;
    const tok = tokenizerFromVocabMerges(vocab, readFileSync(join(MODEL, 'merges.txt'), 'utf8').split('\n'));
    const text = 'def f(x):\n    return x + 1\n'.repeat(50);
    const words = tok.wordLengths!(text);
    expect(words.reduce((a, b) => a + b, 0)).toBe(tok.encode(text).length);
    const counted = pairCountedLength(tok, text, 12);
    let sum = 0;
    const reach = words.findIndex((w) => (sum += w) >= 12);
    expect(counted).toBe(words.slice(0, reach + 1).reduce((a, b) => a + b, 0));
    expect(pairCountedLength(tok, 'a b', 12)).toBe(2);
  });

  it('marks a pair as truncated exactly when a text lost tokens', () => {
    const vocab = JSON.parse(readFileSync(join(MODEL, 'vocab.json'), 'utf8')) as Record<string, number>;
    const tok = tokenizerFromVocabMerges(vocab, readFileSync(join(MODEL, 'merges.txt'), 'utf8').split('\n'));
    expect(buildPairInput(tok, 'a b', 'c', 16).truncated).toBe(false);
    expect(buildPairInput(tok, 'a b c d e f g h i j k l m', 'c', 16).truncated).toBe(true);
  });
});
