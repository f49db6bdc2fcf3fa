/**
 * CPU twin of shaders/attention.wgsl and shaders/attention_backward.wgsl: Hugging Face RoBERTa's eager
 * self-attention with a padding mask, optional prefix keys/values (peft prefix-tuning) and dropout on the
 * attention probabilities. The dropout mask comes from rngUniform, bit-exact with the GPU.
 */
import type { AttentionDims } from '../ops/attention';
import { rngUniform } from './rng';
import type { Vec } from './types';

/**
 * torch.finfo(float32).min, the additive mask HF gives padding keys. In f32, score + MASKED rounds to MASKED
 * (|score| is far below half its ulp, 2^103), and after subtracting the row maximum exp() underflows to
 * exactly 0, so padding keys get probability 0 whenever the row has one real key (the <s> token or a prefix
 * row always is). It is finite, so a row with every key masked stays uniform, as in HF, instead of NaN.
 */
export const MASKED_SCORE = -3.4028234663852886e38;

/** Prefix keys and values, each (P, C), shared by every batch element. */
export interface Prefix<T> {
  readonly pk: T;
  readonly pv: T;
}

/** Shapes and the arrays one call reads; prefix arrays are undefined when P = 0. */
interface Ctx {
  readonly B: number;
  readonly T: number;
  readonly H: number;
  readonly D: number;
  readonly P: number;
  readonly C: number;
  /** Keys per query: the P prefix rows, then the T tokens. */
  readonly S: number;
  readonly dropout: number;
  readonly seed: number;
  readonly q: Vec;
  readonly k: Vec;
  readonly v: Vec;
  readonly pk: Vec | undefined;
  readonly pv: Vec | undefined;
}

function context(dims: AttentionDims, seed: number, q: Vec, k: Vec, v: Vec, prefix: Prefix<Vec> | null): Ctx {
  return { ...dims, C: dims.H * dims.D, S: dims.P + dims.T, seed, q, k, v, pk: prefix?.pk, pv: prefix?.pv };
}

/** Key column j of batch b: (matrix, offset of its row start), the prefix rows first. */
function keyRow(x: Ctx, own: Vec, prefix: Vec | undefined, b: number, j: number): [Vec, number] {
  if (j < x.P) return [prefix!, j * x.C];
  return [own, (b * x.T + j - x.P) * x.C];
}

function rowDot(a: Vec, ao: number, b: Vec, bo: number, n: number): number {
  let s = 0;
  for (let d = 0; d < n; d++) s += a[ao + d]! * b[bo + d]!;
  return s;
}

/** The factor dropout applies to probs[index]: 0 (dropped) or 1 / (1 − p). */
function dropoutFactor(x: Ctx, index: number): number {
  if (x.dropout === 0) return 1;
  // Compare with p rounded to f32, as the shader's override constant is, so the masks agree bit for bit.
  const p = Math.fround(x.dropout);
  return rngUniform(x.seed, index) >= p ? 1 / (1 - p) : 0;
}

/** The softmax input of query i and key j of head h: the scaled dot product, plus MASKED for padding keys. */
function score(x: Ctx, mask: ArrayLike<number>, b: number, h: number, i: number, j: number): number {
  const [keys, ko] = keyRow(x, x.k, x.pk, b, j);
  const s = rowDot(x.q, (b * x.T + i) * x.C + h * x.D, keys, ko + h * x.D, x.D) / Math.sqrt(x.D);
  return j >= x.P && mask[b * x.T + j - x.P] === 0 ? s + MASKED_SCORE : s;
}

/** The (max, sum of exp(score − max)) statistics of query i's softmax row, as the forward saves them. */
function rowStatsOf(x: Ctx, mask: ArrayLike<number>, b: number, h: number, i: number): [number, number] {
  let max = -Infinity;
  for (let j = 0; j < x.S; j++) max = Math.max(max, score(x, mask, b, h, i, j));
  let sum = 0;
  for (let j = 0; j < x.S; j++) sum += Math.exp(score(x, mask, b, h, i, j) - max);
  return [max, sum];
}

/** probs[0..S) = query i's probabilities (before dropout) from its row statistics (m, l), as the shaders do. */
function probsRow(probs: Vec, x: Ctx, mask: ArrayLike<number>, stats: Vec, b: number, h: number, i: number): void {
  const r = (b * x.H + h) * x.T + i;
  const [m, l] = [stats[2 * r]!, stats[2 * r + 1]!];
  for (let j = 0; j < x.S; j++) probs[j] = Math.exp(score(x, mask, b, h, i, j) - m) / l;
}

/**
 * out (B*T, C) = dropout(softmax(q·kᵀ/√D + mask))·v per head, over the P prefix keys then the T tokens.
 * Saves each softmax row's max and sum of exp(score − max) in rowStats (B, H, T, 2) for the backward, which
 * recomputes the probabilities from them. mask (B, T) is 1 for a token and 0 for padding; prefix is null when
 * P = 0; seed picks the dropout mask (unused when dropout = 0).
 */
export function attention(
  out: Vec, rowStats: Vec,
  q: Vec, k: Vec, v: Vec, mask: ArrayLike<number>, prefix: Prefix<Vec> | null, seed: number, dims: AttentionDims,
): void {
  const x = context(dims, seed, q, k, v, prefix);
  const probs = new Float64Array(x.S);
  for (let b = 0; b < x.B; b++) {
    for (let h = 0; h < x.H; h++) {
      for (let i = 0; i < x.T; i++) {
        const r = (b * x.H + h) * x.T + i;
        [rowStats[2 * r], rowStats[2 * r + 1]] = rowStatsOf(x, mask, b, h, i);
        probsRow(probs, x, mask, rowStats, b, h, i);
        const oo = (b * x.T + i) * x.C + h * x.D;
        for (let d = 0; d < x.D; d++) out[oo + d] = 0;
        for (let j = 0; j < x.S; j++) {
          const p = probs[j]! * dropoutFactor(x, r * x.S + j);
          const [values, vo] = keyRow(x, x.v, x.pv, b, j);
          for (let d = 0; d < x.D; d++) out[oo + d] = out[oo + d]! + p * values[vo + h * x.D + d]!;
        }
      }
    }
  }
}

/** Gradient buffers the backward adds into, with the prefix rows routed to dpk / dpv. */
interface Grads {
  readonly dq: Vec;
  readonly dk: Vec;
  readonly dv: Vec;
  readonly dpk: Vec | undefined;
  readonly dpv: Vec | undefined;
}

/** The backward of one query row (b, h, i): dq written, key/value gradients added. */
function backwardRow(g: Grads, dout: Vec, probs: Vec, x: Ctx, b: number, h: number, i: number): void {
  const row = ((b * x.H + h) * x.T + i) * x.S; // the dropout RNG index of probs[0]
  const qo = (b * x.T + i) * x.C + h * x.D;
  const scale = 1 / Math.sqrt(x.D);
  // dP_ij = dO_i·v_j through the dropout mask; dS = P ⊙ (dP − Σ_j P ⊙ dP), the softmax backward.
  const dp = new Float64Array(x.S);
  let rowdot = 0;
  for (let j = 0; j < x.S; j++) {
    const [values, vo] = keyRow(x, x.v, x.pv, b, j);
    dp[j] = rowDot(dout, qo, values, vo + h * x.D, x.D) * dropoutFactor(x, row + j);
    rowdot += probs[j]! * dp[j]!;
  }
  for (let d = 0; d < x.D; d++) g.dq[qo + d] = 0;
  for (let j = 0; j < x.S; j++) {
    const p = probs[j]!;
    const ds = p * (dp[j]! - rowdot) * scale;
    const pDropped = p * dropoutFactor(x, row + j);
    const [keys, ko] = keyRow(x, x.k, x.pk, b, j);
    const [dkeys, dko] = keyRow(x, g.dk, g.dpk, b, j);
    const [dvalues, dvo] = keyRow(x, g.dv, g.dpv, b, j);
    for (let d = 0; d < x.D; d++) {
      const c = h * x.D + d;
      g.dq[qo + d] = g.dq[qo + d]! + ds * keys[ko + c]!;
      dkeys[dko + c] = dkeys[dko + c]! + ds * x.q[qo + d]!;
      dvalues[dvo + c] = dvalues[dvo + c]! + pDropped * dout[qo + d]!;
    }
  }
}

/**
 * Backward of attention(): dq, dk, dv (B*T, C) are written; dpk, dpv (P, C) accumulate (+=) the sum over the
 * batch (null when P = 0). The probabilities are recomputed from q, k, mask and the forward's rowStats.
 */
export function attentionBackward(
  dq: Vec, dk: Vec, dv: Vec, dpk: Vec | null, dpv: Vec | null,
  dout: Vec, q: Vec, k: Vec, v: Vec, rowStats: Vec, mask: ArrayLike<number>, prefix: Prefix<Vec> | null, seed: number,
  dims: AttentionDims,
): void {
  if (mask.length !== dims.B * dims.T) throw new Error(`attentionBackward: mask has ${mask.length} entries, not B*T`);
  const x = context(dims, seed, q, k, v, prefix);
  dk.fill(0);
  dv.fill(0);
  const g: Grads = { dq, dk, dv, dpk: dpk ?? undefined, dpv: dpv ?? undefined };
  const probs = new Float64Array(x.S);
  for (let b = 0; b < x.B; b++) {
    for (let h = 0; h < x.H; h++) {
      for (let i = 0; i < x.T; i++) {
        probsRow(probs, x, mask, rowStats, b, h, i);
        backwardRow(g, dout, probs, x, b, h, i);
      }
    }
  }
}
