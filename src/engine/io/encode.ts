/** Examples → the padded id arrays the trainer and the evaluator take, with CodeXGLUE's input building. */
import type { Example } from '../data/types';
import type { EncodedSet } from '../eval/retrieval';
import { buildInput, type CodeSearchTokenizer } from './tokenizer';

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
