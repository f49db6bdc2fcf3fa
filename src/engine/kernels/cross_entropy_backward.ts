import code from '../../../shaders/cross_entropy_backward.wgsl?raw';
import type { Dispatch, Runtime } from '../gpu/runtime';
import { ELEMENTWISE_WG, grid1d } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { expectNumel } from './check';
import { logitsShape } from './cross_entropy';

const shader = { name: 'cross_entropy_backward', code };
const WG = ELEMENTWISE_WG;

/** dlogits = dloss[0] · weights_r · (softmax(logits) − onehot(targets)), written; lse is the forward's saved logsumexp. */
export function crossEntropyBackward(rt: Runtime, dlogits: Tensor, dloss: Tensor, logits: Tensor, lse: Tensor, targets: Tensor, weights: Tensor): Dispatch {
  const { rows, cols } = logitsShape('cross_entropy_backward', logits, targets);
  expectNumel('cross_entropy_backward', 'weights', weights, rows);
  expectNumel('cross_entropy_backward', 'dlogits', dlogits, rows * cols);
  expectNumel('cross_entropy_backward', 'dloss', dloss, 1);
  expectNumel('cross_entropy_backward', 'lse', lse, rows);
  return rt.kernel({
    shader,
    constants: { R: rows, C: cols, WG },
    bindings: [
      [dlogits, 'write'],
      [dloss, 'read'],
      [logits, 'read'],
      [lse, 'read'],
      [targets, 'read'],
      [weights, 'read'],
    ],
    workgroups: grid1d(rows * cols, WG),
    flops: 5 * rows * cols,
  });
}
