import code from '../../../shaders/attention_backward.wgsl?raw';
import { shapeError } from '../gpu/errors';
import type { Dispatch, KernelCall, Runtime } from '../gpu/runtime';
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
 * the batch, and are null exactly when prefix is. probs and params are the forward's (same seed). mask is
 * only shape-checked: masked keys already have probability 0 in probs. Three passes: dq (one workgroup per
 * query row), then dk/dpk and dv/dpv (one workgroup per key; a prefix key's workgroup loops over the batch).
 * The first pass parks a (B, H, T) row statistic in dv's buffer for the second, and the third overwrites it,
 * so dv must be its own buffer (not a view sharing a buffer with dq, dk or an input).
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
  probs: Tensor,
  mask: Tensor,
  prefix: AttentionPrefix | null,
  params: Tensor,
  dims: AttentionDims,
): Dispatch[] {
  checkAttentionShapes('attentionBackward', dims, { dq, dk, dv, dout, q, k, v }, probs, mask, prefix, params);
  checkPrefixGrads(dims, dpk, dpv, prefix);
  const { B, T, H, D, P } = dims;
  const pairs = B * H * T * (P + T) * D; // (query, key, column) triples
  const perQuery: Grid = [T, H, B];
  const perKey: Grid = [P + T, H, B];
  const pass = (entryPoint: string, bindings: KernelCall['bindings'], workgroups: Grid, flops: number): Dispatch =>
    rt.kernel({ shader, entryPoint, constants: attentionConstants(dims), bindings, workgroups, flops });
  // Without a prefix nothing reads pk/pv or writes dpk/dpv, but the bindings must exist: k and v stand in
  // for the inputs, and dq, which the dk and dv passes do not otherwise bind, for the outputs.
  const pk = prefix?.pk ?? k;
  const pv = prefix?.pv ?? v;
  return [
    pass(
      'attention_backward',
      [
        [dq, 'write'], [dv, 'write'], // dv's buffer holds the row statistic (B, H, T) until the dv pass
        [dout, 'read'], [probs, 'read'], [v, 'read'], [pv, 'read'], [k, 'read'], [pk, 'read'],
        [params, 'uniform'],
      ],
      perQuery,
      6 * pairs,
    ),
    pass(
      'attention_backward_dk',
      [
        [dk, 'write'], [dpk ?? dq, 'write'],
        [dout, 'read'], [probs, 'read'], [v, 'read'], [pv, 'read'], [q, 'read'], [dv, 'read'],
        [params, 'uniform'],
      ],
      perKey,
      4 * pairs,
    ),
    pass(
      'attention_backward_dv',
      [[dv, 'write'], [dpv ?? dq, 'write'], [dout, 'read'], [probs, 'read'], [params, 'uniform']],
      perKey,
      2 * pairs,
    ),
  ];
}
