import code from '../../../shaders/attention.wgsl?raw';
import { shapeError } from '../gpu/errors';
import type { Constants } from '../gpu/pipelines';
import type { Dispatch, Runtime } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { expectAtLeast, expectNumel, expectPositive } from './check';
import { shaderWith } from './lib';

const shader = shaderWith('attention', code, 'rng', 'attentionRows');

/** Invocations per workgroup in both attention shaders (their `const WG`). */
export const ATTENTION_WG = 64;

export interface AttentionDims {
  readonly B: number;
  readonly T: number;
  /** Heads; C = H * D. */
  readonly H: number;
  readonly D: number;
  /** Prefix rows prepended to every sequence's keys and values (prefix-tuning); 0 for none. */
  readonly P: number;
  /** Dropout probability on the attention probabilities, in [0, 1); 0 turns it off. */
  readonly dropout: number;
}

/** Prefix keys and values, each (P, C), shared by every batch element. */
export interface AttentionPrefix {
  readonly pk: Tensor;
  readonly pv: Tensor;
}

export function checkAttentionDims(op: string, dims: AttentionDims): void {
  expectPositive(op, { B: dims.B, T: dims.T, H: dims.H, D: dims.D });
  if (!Number.isInteger(dims.P) || dims.P < 0) throw shapeError(op, `P must be a non-negative integer, got ${dims.P}`);
  if (!(dims.dropout >= 0 && dims.dropout < 1)) throw shapeError(op, `dropout must be in [0, 1), got ${dims.dropout}`);
  if (dims.B > 65535 || dims.T + dims.P > 65535) throw shapeError(op, 'B and P+T must each fit one grid dimension (65535)');
}

/** Floats attention() saves per query row for the backward: the softmax row max m and row sum l. */
export const ROW_STATS = 2;

/** Checks q/k/v-like (B*T, C) tensors, the (B, T) mask, the row statistics, the prefix pair and the seed uniform. */
export function checkAttentionShapes(
  op: string,
  dims: AttentionDims,
  rows: Record<string, Tensor>,
  rowStats: Tensor,
  mask: Tensor,
  prefix: AttentionPrefix | null,
  params: Tensor,
): void {
  checkAttentionDims(op, dims);
  const { B, T, H, D, P } = dims;
  for (const [name, t] of Object.entries(rows)) expectNumel(op, name, t, B * T * H * D);
  expectNumel(op, 'rowStats', rowStats, B * H * T * ROW_STATS);
  expectNumel(op, 'mask', mask, B * T);
  if (mask.dtype !== 'u32') throw shapeError(op, `mask must be u32 (1 = token, 0 = padding), got ${mask.dtype}`);
  if ((prefix === null) !== (P === 0)) throw shapeError(op, `prefix must be given exactly when P > 0 (P = ${P})`);
  if (prefix) {
    expectNumel(op, 'pk', prefix.pk, P * H * D);
    expectNumel(op, 'pv', prefix.pv, P * H * D);
  }
  expectAtLeast(op, 'params', params, 1);
}

export function attentionConstants(dims: AttentionDims): Constants {
  return { B: dims.B, T: dims.T, H: dims.H, D: dims.D, P: dims.P, DROPOUT: dims.dropout };
}

/**
 * Multi-head self-attention, HF RoBERTa eager semantics: out (B*T, C) = dropout(softmax(q·kᵀ/√D + mask))·v
 * per head, the keys being the P prefix rows then the T tokens. Saves for the backward only rowStats
 * (B, H, T, 2): each softmax row's max m and sum l of exp(score − m), from which attentionBackward recomputes
 * the probabilities bit for bit instead of keeping (B, H, T, P+T) of them. mask is u32 (B, T): 1 = token,
 * 0 = padding. params is a uniform
 * whose word 0 is the dropout seed as a u32 (rt.write(params, Uint32Array.of(seed))), read only when
 * dims.dropout > 0. One workgroup per (query row, head, batch element).
 */
export function attention(
  rt: Runtime,
  out: Tensor,
  rowStats: Tensor,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  mask: Tensor,
  prefix: AttentionPrefix | null,
  params: Tensor,
  dims: AttentionDims,
): Dispatch[] {
  checkAttentionShapes('attention', dims, { out, q, k, v }, rowStats, mask, prefix, params);
  const { B, T, H, D, P } = dims;
  // Without a prefix the shader never reads pk/pv, but the bindings must exist: k and v stand in.
  const pk = prefix?.pk ?? k;
  const pv = prefix?.pv ?? v;
  const dispatch = rt.kernel({
    shader,
    constants: attentionConstants(dims),
    bindings: [
      [out, 'write'],
      [rowStats, 'write'],
      [q, 'read'],
      [k, 'read'],
      [v, 'read'],
      [mask, 'read'],
      [pk, 'read'],
      [pv, 'read'],
      [params, 'uniform'],
    ],
    workgroups: [T, H, B],
    flops: 8 * B * H * T * (P + T) * D, // q·k three times (max, sum, output), then p·v
  });
  return [dispatch];
}
