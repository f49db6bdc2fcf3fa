/**
 * RoBERTa embeddings: token + position + token-type rows summed per token, and the CPU-side helpers the
 * engine runs at batch time (position ids and the backward's scatter plan).
 */
import type { Vec } from './types';

/** out[t, :] = wte[ids[t], :] + wpe[pos[t], :] + wtt[tt[t], :] for t < BT. */
export function embedding(
  out: Vec,
  ids: Uint32Array,
  pos: Uint32Array,
  tt: Uint32Array,
  wte: Vec,
  wpe: Vec,
  wtt: Vec,
  BT: number,
  C: number,
): void {
  for (let t = 0; t < BT; t++) {
    const e = ids[t]! * C;
    const p = pos[t]! * C;
    const y = tt[t]! * C;
    for (let c = 0; c < C; c++) out[t * C + c] = wte[e + c]! + wpe[p + c]! + wtt[y + c]!;
  }
}

/**
 * dtable[idx[t], :] += dout[t, :] for each table, tokens in increasing t: the order the GPU kernel sums in,
 * so f32 results agree bit for bit.
 */
export function embeddingBackward(
  dwte: Vec,
  dwpe: Vec,
  dwtt: Vec,
  dout: Vec,
  ids: Uint32Array,
  pos: Uint32Array,
  tt: Uint32Array,
  BT: number,
  C: number,
): void {
  const tables: readonly (readonly [Vec, Uint32Array])[] = [
    [dwte, ids],
    [dwpe, pos],
    [dwtt, tt],
  ];
  for (const [dtable, idx] of tables) {
    for (let t = 0; t < BT; t++) {
      const row = idx[t]! * C;
      for (let c = 0; c < C; c++) dtable[row + c] = dtable[row + c]! + dout[t * C + c]!;
    }
  }
}

/**
 * RoBERTa's position ids (HF create_position_ids_from_input_ids): padding tokens get `padId`, the others
 * count up from padId + 1 within their sequence. ids is (B, T) row-major.
 */
export function robertaPositionIds(ids: Uint32Array, B: number, T: number, padId = 1): Uint32Array {
  const pos = new Uint32Array(B * T);
  for (let b = 0; b < B; b++) {
    let count = 0;
    for (let t = 0; t < T; t++) {
      const i = b * T + t;
      if (ids[i] === padId) {
        pos[i] = padId;
      } else {
        count++;
        pos[i] = count + padId;
      }
    }
  }
  return pos;
}

/**
 * The backward's scatter plan in CSR form: `unique` lists the distinct indices in increasing order, and the
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
