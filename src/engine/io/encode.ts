/** Examples → the padded id arrays the trainer and the evaluator take, with CodeXGLUE's input building. */
import type { Example } from '../data/types';
import type { EncodedSet } from '../eval/retrieval';
import { buildInput, buildPairInput, type CodeSearchTokenizer } from './tokenizer';

export interface EncodedShard extends EncodedSet {
  /** How many codes / queries were cut at the length limit. */
  readonly truncatedCode: number;
  readonly truncatedQuery: number;
}

export function encodeExamples(examples: readonly Example[], tok: CodeSearchTokenizer, codeLength: number, nlLength: number): EncodedShard {
  const n = examples.length;
  const code = new Uint32Array(n * codeLength);
  const nl = new Uint32Array(n * nlLength);
  let truncatedCode = 0;
  let truncatedQuery = 0;
  examples.forEach((ex, i) => {
    const c = buildInput(tok, ex.code, codeLength);
    const q = buildInput(tok, ex.query, nlLength);
    code.set(c.ids, i * codeLength);
    nl.set(q.ids, i * nlLength);
    if (c.truncated) truncatedCode++;
    if (q.truncated) truncatedQuery++;
  });
  return { n, code, nl, truncatedCode, truncatedQuery };
}

/** A classification set: inputs (n, length) — single texts or RoBERTa pairs — and each example's class. */
export interface EncodedLabelled extends EncodedSet {
  readonly labels: Uint32Array;
  /** Inputs cut at the length limit. */
  readonly truncated: number;
}

/**
 * Examples → classification inputs: `code` (the text field) alone, or with `pair` true the pair (code, query) as
 * `<s> a </s></s> b </s>`; `classOf` maps each example to its class. The query side of EncodedSet stays empty.
 */
export function encodeLabelled(examples: readonly Example[], tok: CodeSearchTokenizer, length: number, pair: boolean, classOf: (e: Example) => number): EncodedLabelled {
  const n = examples.length;
  const code = new Uint32Array(n * length);
  const labels = new Uint32Array(n);
  let truncated = 0;
  examples.forEach((ex, i) => {
    const input = pair ? buildPairInput(tok, ex.code, ex.query, length) : buildInput(tok, ex.code, length);
    code.set(input.ids, i * length);
    labels[i] = classOf(ex);
    if (input.truncated) truncated++;
  });
  return { n, code, nl: new Uint32Array(0), labels, truncated };
}
