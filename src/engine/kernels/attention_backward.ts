import code from '../../../shaders/attention_backward.wgsl?raw';
import { shapeError } from '../gpu/errors';
import type { Dispatch, Runtime } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { attentionConstants, checkAttentionShapes, type AttentionDims, type AttentionPrefix } from './attention';
import { expectNumel } from './check';
import { shaderWith } from './lib';

const shader = shaderWith('attention_backward', code, 'rng', 'attentionRows');

/** Rows per workgroup block and per swept tile in attention_backward.wgsl (its BA = BX). */
export const ATTENTION_BACKWARD_BLOCK = 32;
/** Head columns attention_backward.wgsl stages at once (its DC) and keeps in registers per sweep (its DO). */
export const ATTENTION_BACKWARD_D_CHUNK = 32;
export const ATTENTION_BACKWARD_D_SWEEP = 64;

type Grid = [number, number, number];

function checkPrefixGrads(dims: AttentionDims, dpk: Tensor | null, dpv: Tensor | null, prefix: AttentionPrefix | null): void {
  const op = 'attentionBackward';
  if ((dpk === null) !== (prefix === null) || (dpv === null) !== (prefix === null)) {
    throw shapeError(op, 'dpk and dpv must be given exactly when the prefix is');
  }
  const n = dims.P * dims.H * dims.D;
  if (dpk) expectNumel(op, 'dpk', dpk, n);
  if (dpv) expectNumel(op, 'dpv', dpv, n);
}

/**
 * Backward of attention(): dq, dk, dv (B*T, C) are written (=); dpk, dpv (P, C) accumulate (+=) the sum over
 * the batch, and are null exactly when prefix is. rowStats, mask and params are the forward's (same seed): the
 * probabilities are recomputed from q, k, mask and rowStats with the forward's arithmetic, so they equal the
 * forward's bit for bit. Four steps (rowdot, dq, dk, dv), tiled in blocks of ATTENTION_BACKWARD_BLOCK query
 * rows or keys; each step is a prefix-key pass (skipped when P = 0) then a token-key pass, so that no pass
 * binds more than WebGPU's 8 storage buffers. The rowdot step parks a (B, H, T) row statistic in dv's buffer
 * and the dv step overwrites it last, so dv must be its own buffer (not a view sharing a buffer with dq, dk or
 * an input).
 */
export function attentionBackward(
  rt: Runtime,
  dq: Tensor,
  dk: Tensor,
  dv: Tensor,
  dpk: Tensor | null,
  dpv: Tensor | null,
  dout: Tensor,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  rowStats: Tensor,
  mask: Tensor,
  prefix: AttentionPrefix | null,
  params: Tensor,
  dims: AttentionDims,
): Dispatch[] {
  checkAttentionShapes('attentionBackward', dims, { dq, dk, dv, dout, q, k, v }, rowStats, mask, prefix, params);
  checkPrefixGrads(dims, dpk, dpv, prefix);
  const { B, T, H, D, P } = dims;
  const blocks = (n: number): number => Math.ceil(n / ATTENTION_BACKWARD_BLOCK);
  // dq, dk and dv recompute the scores (and dP) once per sweep of ATTENTION_BACKWARD_D_SWEEP output columns.
  const sweeps = Math.ceil(D / ATTENTION_BACKWARD_D_SWEEP);
  // Every pass binds [output, rowStats, dout, q, keys, values, mask, rowdot, params]; where a pass reads no
  // rowdot (rowdot, dv), dq stands in, as it is not otherwise bound there.
  const pass = (step: string, isPrefix: boolean, out: Tensor, keys: [Tensor, Tensor], rowdot: Tensor, workgroups: Grid, keysPerQuery: number, flopsPerPair: number): Dispatch =>
    rt.kernel({
      shader,
      entryPoint: `attention_backward_${step}`,
      constants: { ...attentionConstants(dims), PREFIX: isPrefix },
      bindings: [
        [out, 'write'], [rowStats, 'read'], [dout, 'read'], [q, 'read'], [keys[0], 'read'], [keys[1], 'read'],
        [mask, 'read'], [rowdot, 'read'], [params, 'uniform'],
      ],
      workgroups,
      flops: flopsPerPair * B * H * T * keysPerQuery * D,
    });
  // Per (query, key, column), 2 flops for each of: q·k for the probability, dO·v for dP, the output product.
  const steps = (isPrefix: boolean, keys: [Tensor, Tensor], grads: [Tensor, Tensor], perKey: Grid, n: number): Dispatch[] => {
    const perQuery: Grid = [blocks(T), H, B];
    return [
      pass('rowdot', isPrefix, dv, keys, dq, perQuery, n, 4),
      pass('dq', isPrefix, dq, keys, dv, perQuery, n, 6 * sweeps),
      pass('dk', isPrefix, grads[0], keys, dv, perKey, n, 6 * sweeps),
      pass('dv', isPrefix, grads[1], keys, dq, perKey, n, 4 * sweeps),
    ];
  };
  const tokens = steps(false, [k, v], [dk, dv], [blocks(T), H, B], T);
  if (!prefix || !dpk || !dpv) return tokens;
  // One workgroup per prefix key block sums over the whole batch.
  const pre = steps(true, [prefix.pk, prefix.pv], [dpk, dpv], [blocks(P), H, 1], P);
  // Each token pass adds to its prefix pass's result (rowdot, dq), so the prefix pass of a step goes first.
  return pre.flatMap((p, idx) => [p, tokens[idx]!]);
}
