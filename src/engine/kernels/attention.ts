import { MAX_GROUPS } from '../gpu/runtime';
import code from '../../../shaders/attention.wgsl?raw';
import { shapeError } from '../gpu/errors';
import type { Constants } from '../gpu/pipelines';
import type { Dispatch, Runtime } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { expectAtLeast, expectNumel, expectPositive } from './check';
import { shaderWith } from './lib';

const shader = shaderWith('attention', code, 'rng', 'attentionRows');

/**
 * The attention kernels' workgroup size before they were tiled (one 64-invocation workgroup per row); the GPU
 * tests still pick shapes just past it. No shader depends on it now.
 */
export const ATTENTION_WG = 64;

// attention.wgsl's tiling (its consts BR, BC, DCH): queries per workgroup, keys per staged tile, head
// columns staged at once. Tests use them to pick shapes that straddle the tiles.
export const ATTENTION_BLOCK_ROWS = 32;
export const ATTENTION_KEY_TILE = 16;
export const ATTENTION_D_CHUNK = 64;


export type { AttentionDims } from '../../ops/attention';
import type { AttentionDims } from '../../ops/attention';

/** Prefix keys and values, each (P, C), shared by every batch element. */
export interface AttentionPrefix {
  readonly pk: Tensor;
  readonly pv: Tensor;
}

export function checkAttentionDims(op: string, dims: AttentionDims): void {
  expectPositive(op, { B: dims.B, T: dims.T, H: dims.H, D: dims.D });
  if (!Number.isInteger(dims.P) || dims.P < 0) throw shapeError(op, `P must be a non-negative integer, got ${dims.P}`);
  if (!(dims.dropout >= 0 && dims.dropout < 1)) throw shapeError(op, `dropout must be in [0, 1), got ${dims.dropout}`);
  if (dims.B > MAX_GROUPS || dims.T + dims.P > MAX_GROUPS) throw shapeError(op, `B and P+T must each fit one grid dimension (${MAX_GROUPS})`);
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
 * dims.dropout > 0. One workgroup per (block of ATTENTION_BLOCK_ROWS query rows, head, batch element), the
 * keys staged ATTENTION_KEY_TILE at a time; two passes over them (row statistics, then output).
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
  const blocks = Math.ceil(T / ATTENTION_BLOCK_ROWS);
  if (blocks > MAX_GROUPS || H > MAX_GROUPS || B > MAX_GROUPS) {
    throw shapeError('attention', `T=${T}, H=${H}, B=${B} exceed the (T/${ATTENTION_BLOCK_ROWS}, H, B) grid`);
  }
  // Pass 1 computes every score once, pass 2 once per chunk of output columns, then p·v: 2 flops each.
  const scorePasses = 1 + Math.ceil(D / ATTENTION_D_CHUNK);
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
    workgroups: [blocks, H, B],
    flops: 2 * (scorePasses + 1) * B * H * T * (P + T) * D,
  });
  return [dispatch];
}
