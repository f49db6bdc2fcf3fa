/**
 * RoBERTa's position ids (HF create_position_ids_from_input_ids): padding tokens get `padId`, the others
 * count up from padId + 1 within their sequence. ids is (B, T) row-major.
 */
export function positionIds(ids: Uint32Array, B: number, T: number, padId = 1): Uint32Array {
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
