/**
 * Linear centered kernel alignment (Kornblith, Norouzi, Lee & Hinton, "Similarity of Neural Network
 * Representations Revisited", ICML 2019, eq. 5): for representations X (n × d1) and Y (n × d2) of the same n
 * inputs, with every column centered,
 *     CKA(X, Y) = ‖Yᵀ X‖²_F / (‖Xᵀ X‖_F · ‖Yᵀ Y‖_F),
 * 1 when one is an orthogonal transform and scaling of the other, near 0 for unrelated ones. The lab compares a
 * layer of the pre-trained model with the same layer after fine-tuning (the figure behind Telly-K freezing).
 * Computed in float64 through the n × n Gram matrices (n is a few hundred inputs; d is the hidden size).
 */

/** Rows of `data` (n × d, row-major) with each column's mean subtracted, in float64. */
function centered(data: ArrayLike<number>, n: number, d: number): Float64Array {
  const out = Float64Array.from(data as ArrayLike<number>);
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += out[i * d + j]!;
    mean /= n;
    for (let i = 0; i < n; i++) out[i * d + j]! -= mean;
  }
  return out;
}

/** K = X Xᵀ (n × n). */
function gram(x: Float64Array, n: number, d: number): Float64Array {
  const k = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += x[a * d + j]! * x[b * d + j]!;
      k[a * n + b] = k[b * n + a] = s;
    }
  }
  return k;
}

/** ⟨K, L⟩_F, which equals ‖Yᵀ X‖²_F for K = X Xᵀ and L = Y Yᵀ. */
function frobeniusDot(k: Float64Array, l: Float64Array): number {
  let s = 0;
  for (let i = 0; i < k.length; i++) s += k[i]! * l[i]!;
  return s;
}

/**
 * Linear CKA of X (n × dx) and Y (n × dy), both row-major with one row per input. NaN when either is constant
 * (every centered row 0): there is no similarity to speak of.
 */
export function linearCka(x: ArrayLike<number>, dx: number, y: ArrayLike<number>, dy: number): number {
  const n = x.length / dx;
  if (!Number.isInteger(n) || n !== y.length / dy || n < 2) throw new RangeError(`linearCka: X has ${x.length / dx} rows and Y ${y.length / dy}; both need the same n ≥ 2`);
  const k = gram(centered(x, n, dx), n, dx);
  const l = gram(centered(y, n, dy), n, dy);
  return frobeniusDot(k, l) / Math.sqrt(frobeniusDot(k, k) * frobeniusDot(l, l));
}
