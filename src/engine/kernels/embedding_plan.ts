/**
 * The CPU half of embedding_backward.wgsl, built per batch and uploaded by writeEmbeddingPlan. The backward's scatter plan in CSR form: `unique` lists the distinct indices in increasing order, and the
 * tokens that hit unique[u] are positions[offsets[u] .. offsets[u+1]), in increasing order. One GPU row per
 * unique index then owns its table row, so no two invocations write the same gradient and the sum order is
 * fixed.
 */
export interface EmbeddingPlan {
  readonly unique: Uint32Array; // (U)
  readonly offsets: Uint32Array; // (U + 1)
  readonly positions: Uint32Array; // (N)
}

/**
 * `paddingIdx` (as nn.Embedding's padding_idx, which HF RoBERTa sets for the word and position tables) gets
 * no gradient: its tokens are left out of `unique` and parked after the last range of `positions`.
 */
export function embeddingBackwardPlan(indices: Uint32Array, paddingIdx: number | null = null): EmbeddingPlan {
  const n = indices.length;
  // Stable sort of token positions by index: ties keep increasing t.
  const sorted = Array.from({ length: n }, (_, t) => t).sort((a, b) => indices[a]! - indices[b]! || a - b);
  const order = [...sorted.filter((t) => indices[t] !== paddingIdx), ...sorted.filter((t) => indices[t] === paddingIdx)];
  const counted = n - sorted.filter((t) => indices[t] === paddingIdx).length;
  const positions = Uint32Array.from(order);
  const unique: number[] = [];
  const offsets: number[] = [];
  for (let k = 0; k < counted; k++) {
    const v = indices[order[k]!]!;
    if (k === 0 || v !== unique[unique.length - 1]) {
      unique.push(v);
      offsets.push(k);
    }
  }
  offsets.push(counted);
  return { unique: Uint32Array.from(unique), offsets: Uint32Array.from(offsets), positions };
}
