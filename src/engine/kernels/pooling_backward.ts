import code from '../../../shaders/pooling_backward.wgsl?raw';
import type { Dispatch, Runtime } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import type { PoolingMode } from '../../ops/pooling';
import { checkPoolingShapes, poolingLaunch } from './pooling';

const shader = { name: 'pooling_backward', code };

/**
 * dh (B*T, C) from dout (B, C), written for every row: dout (cls, row b*T) or dout / count (mean, token rows)
 * where the pooling read, 0 elsewhere. mask is u32 (B, T), the forward's.
 */
export function poolingBackward(rt: Runtime, dh: Tensor, dout: Tensor, mask: Tensor, B: number, T: number, C: number, mode: PoolingMode): Dispatch {
  checkPoolingShapes('pooling_backward', dout, dh, mask, B, T, C);
  return poolingLaunch(rt, shader, dh, dout, mask, B, T, C, mode);
}
