import code from '../../../shaders/attention_backward.wgsl?raw';
import { shapeError } from '../gpu/errors';
import type { Dispatch, Runtime } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { attentionConstants, checkAttentionShapes, type AttentionDims, type AttentionPrefix } from './attention';
import { expectNumel } from './check';
import { shaderWith } from './lib';

const shader = shaderWith('attention_backward', code, 'rng', 'attentionRows');

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
 * forward's bit for bit. Four steps (rowdot, dq, dk, dv), each a prefix-key pass (skipped when P = 0) then a
 * token-key pass, so that no pass binds more than WebGPU's 8 storage buffers. The rowdot step parks a
 * (B, H, T) row statistic in dv's buffer and the dv step overwrites it last, so dv must be its own buffer (not
 * a view sharing a buffer with dq, dk or an input).
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
  const perQuery: Grid = [T, H, B];
  // Every pass binds [output, rowStats, dout, q, keys, values, mask, rowdot, params]; where a pass reads no
  // rowdot (rowdot_*, dv_*), dq stands in, as it is not otherwise bound there.
  const pass = (entryPoint: string, out: Tensor, keys: [Tensor, Tensor], rowdot: Tensor, workgroups: Grid, keysPerQuery: number, flopsPerPair: number): Dispatch =>
    rt.kernel({
      shader,
      entryPoint,
      constants: attentionConstants(dims),
      bindings: [
        [out, 'write'], [rowStats, 'read'], [dout, 'read'], [q, 'read'], [keys[0], 'read'], [keys[1], 'read'],
        [mask, 'read'], [rowdot, 'read'], [params, 'uniform'],
      ],
      workgroups,
      flops: flopsPerPair * B * H * T * keysPerQuery * D,
    });
  // Per (query, key, column): q·k for the probability, dO·v for dP, and the accumulation itself.
  const steps = (kind: 'prefix' | 'tokens', keys: [Tensor, Tensor], grads: [Tensor, Tensor], perKey: Grid, n: number): Dispatch[] => [
    pass(`rowdot_${kind}`, dv, keys, dq, perQuery, n, 4),
    pass(`dq_${kind}`, dq, keys, dv, perQuery, n, 6),
    pass(`dk_${kind}`, grads[0], keys, dv, perKey, n, 6),
    pass(`dv_${kind}`, grads[1], keys, dq, perKey, n, 4),
  ];
  const tokens = steps('tokens', [k, v], [dk, dv], [T, H, B], T);
  if (!prefix || !dpk || !dpv) return tokens;
  const pre = steps('prefix', [prefix.pk, prefix.pv], [dpk, dpv], [P, H, 1], P);
  // Each token pass adds to its prefix pass's result, so the prefix pass of a step goes first.
  return pre.flatMap((p, idx) => [p, tokens[idx]!]);
}
