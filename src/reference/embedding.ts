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
 * RoBERTa's position ids as transformers writes them (create_position_ids_from_input_ids):
 * (cumsum(mask) + past) · mask + padId per sequence, with mask = ids ≠ padId. ids is (B, T) row-major.
 */
export function robertaPositionIds(ids: Uint32Array, B: number, T: number, padId = 1, past = 0): Uint32Array {
  const pos = new Uint32Array(B * T);
  for (let b = 0; b < B; b++) {
    let cumsum = 0;
    for (let t = 0; t < T; t++) {
      const mask = ids[b * T + t] === padId ? 0 : 1;
      cumsum += mask;
      pos[b * T + t] = (cumsum + past) * mask + padId;
    }
  }
  return pos;
}
