/**
 * CPU twin of shaders/attention.wgsl and shaders/attention_backward.wgsl: Hugging Face RoBERTa's eager
 * self-attention with a padding mask, optional prefix keys/values (peft prefix-tuning) and dropout on the
 * attention probabilities. The dropout mask comes from rngUniform, bit-exact with the GPU.
 */
import type { AttentionDims } from '../engine/kernels/attention';
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

/** probs[row..row+S) = softmax over the keys of query i of head h (before dropout). */
function softmaxRow(probs: Vec, row: number, x: Ctx, mask: ArrayLike<number>, b: number, h: number, i: number): void {
  const qo = (b * x.T + i) * x.C + h * x.D;
  let max = -Infinity;
  for (let j = 0; j < x.S; j++) {
    const [keys, ko] = keyRow(x, x.k, x.pk, b, j);
    let s = rowDot(x.q, qo, keys, ko + h * x.D, x.D) / Math.sqrt(x.D);
    if (j >= x.P && mask[b * x.T + j - x.P] === 0) s += MASKED_SCORE;
    probs[row + j] = s;
    max = Math.max(max, s);
  }
  let sum = 0;
  for (let j = 0; j < x.S; j++) {
    const e = Math.exp(probs[row + j]! - max);
    probs[row + j] = e;
    sum += e;
  }
  for (let j = 0; j < x.S; j++) probs[row + j] = probs[row + j]! / sum;
}

/**
 * out (B*T, C) = dropout(softmax(q·kᵀ/√D + mask))·v per head, over the P prefix keys then the T tokens.
 * Saves the pre-dropout probabilities probs (B, H, T, P+T) for the backward. mask (B, T) is 1 for a token
 * and 0 for padding; prefix is null when P = 0; seed picks the dropout mask (unused when dropout = 0).
 */
export function attention(
  out: Vec, probs: Vec,
  q: Vec, k: Vec, v: Vec, mask: ArrayLike<number>, prefix: Prefix<Vec> | null, seed: number, dims: AttentionDims,
): void {
  const x = context(dims, seed, q, k, v, prefix);
  for (let b = 0; b < x.B; b++) {
    for (let h = 0; h < x.H; h++) {
      for (let i = 0; i < x.T; i++) {
        const row = ((b * x.H + h) * x.T + i) * x.S;
        softmaxRow(probs, row, x, mask, b, h, i);
        const oo = (b * x.T + i) * x.C + h * x.D;
        for (let d = 0; d < x.D; d++) out[oo + d] = 0;
        for (let j = 0; j < x.S; j++) {
          const p = probs[row + j]! * dropoutFactor(x, row + j);
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
  const row = ((b * x.H + h) * x.T + i) * x.S;
  const qo = (b * x.T + i) * x.C + h * x.D;
  const scale = 1 / Math.sqrt(x.D);
  // dP_ij = dO_i·v_j through the dropout mask; dS = P ⊙ (dP − Σ_j P ⊙ dP), the softmax backward.
  const dp = new Float64Array(x.S);
  let rowdot = 0;
  for (let j = 0; j < x.S; j++) {
    const [values, vo] = keyRow(x, x.v, x.pv, b, j);
    dp[j] = rowDot(dout, qo, values, vo + h * x.D, x.D) * dropoutFactor(x, row + j);
    rowdot += probs[row + j]! * dp[j]!;
  }
  for (let d = 0; d < x.D; d++) g.dq[qo + d] = 0;
  for (let j = 0; j < x.S; j++) {
    const p = probs[row + j]!;
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
 * batch (null when P = 0). The padding mask needs no separate treatment: it is already in probs, whose
 * masked entries are 0, so mask is only checked, to keep the argument list the twin of the kernel's.
 */
export function attentionBackward(
  dq: Vec, dk: Vec, dv: Vec, dpk: Vec | null, dpv: Vec | null,
  dout: Vec, q: Vec, k: Vec, v: Vec, probs: Vec, mask: ArrayLike<number>, prefix: Prefix<Vec> | null, seed: number,
  dims: AttentionDims,
): void {
  if (mask.length !== dims.B * dims.T) throw new Error(`attentionBackward: mask has ${mask.length} entries, not B*T`);
  const x = context(dims, seed, q, k, v, prefix);
  dk.fill(0);
  dv.fill(0);
  const g: Grads = { dq, dk, dv, dpk: dpk ?? undefined, dpv: dpv ?? undefined };
  for (let b = 0; b < x.B; b++) {
    for (let h = 0; h < x.H; h++) {
      for (let i = 0; i < x.T; i++) backwardRow(g, dout, probs, x, b, h, i);
    }
  }
}
