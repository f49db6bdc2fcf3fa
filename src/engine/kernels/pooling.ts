import code from '../../../shaders/pooling.wgsl?raw';
import { shapeError } from '../gpu/errors';
import type { ShaderSource } from '../gpu/pipelines';
import type { Dispatch, Runtime } from '../gpu/runtime';
import { ceilDiv, ELEMENTWISE_WG, MAX_GROUPS } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { POOLING_MODE_IDS, type PoolingMode } from '../../ops/pooling';
import { expectNumel, expectPositive } from './check';

export type { PoolingMode } from '../../ops/pooling';

const shader = { name: 'pooling', code };
const WG = ELEMENTWISE_WG;

/**
 * out (B, C) = h[b*T] (cls) or the masked mean of h (B*T, C) over the tokens of sequence b (mean; a
 * sequence with no tokens pools to 0). mask is u32 (B, T), nonzero = token, as attention takes it.
 */
export function pooling(rt: Runtime, out: Tensor, h: Tensor, mask: Tensor, B: number, T: number, C: number, mode: PoolingMode): Dispatch {
  checkPoolingShapes('pooling', out, h, mask, B, T, C);
  return poolingLaunch(rt, shader, out, h, mask, B, T, C, mode);
}

/** pooled (B, C) is out or dout, states (B*T, C) is h or dh. */
export function checkPoolingShapes(op: string, pooled: Tensor, states: Tensor, mask: Tensor, B: number, T: number, C: number): void {
  expectPositive(op, { B, T, C });
  expectNumel(op, 'pooled', pooled, B * C);
  expectNumel(op, 'hidden states', states, B * T * C);
  expectNumel(op, 'mask', mask, B * T);
  if (mask.dtype !== 'u32') throw shapeError(op, `mask must be u32 (1 = token, 0 = padding), got ${mask.dtype}`);
  if (B > MAX_GROUPS || ceilDiv(C, WG) > MAX_GROUPS) throw shapeError(op, `B=${B}, C=${C} exceed the (C/${WG}, B) grid`);
}

/** The launch pooling and pooling_backward share: one invocation per (b, c) on a (ceil(C/WG), B) grid. */
export function poolingLaunch(
  rt: Runtime,
  source: ShaderSource,
  output: Tensor,
  input: Tensor,
  mask: Tensor,
  B: number,
  T: number,
  C: number,
  mode: PoolingMode,
): Dispatch {
  return rt.kernel({
    shader: source,
    constants: { B, T, C, MODE: POOLING_MODE_IDS[mode], WG },
    bindings: [
      [output, 'write'],
      [input, 'read'],
      [mask, 'read'],
    ],
    workgroups: [ceilDiv(C, WG), B, 1],
    flops: mode === 'mean' ? B * T * C : 0,
  });
}
