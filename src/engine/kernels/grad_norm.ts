import code from '../../../shaders/grad_norm.wgsl?raw';
import type { Dispatch, Runtime } from '../gpu/runtime';
import { sizeOf, type Tensor } from '../gpu/tensor';
import { rowReduce, rowShaders } from './lib';
import { reduceLaunch, type ReduceOptions } from './sum';

const shaders = rowShaders('grad_norm', code, 'tileSum');

/**
 * partials[w] = Σ g² over workgroup w's slice of the flat gradient buffer: the first pass of the global
 * gradient norm, finished by clipGradNorm. `partials` holds reducePartials(n) elements.
 */
export function gradNorm(rt: Runtime, partials: Tensor, grads: Tensor, options: ReduceOptions = {}): Dispatch {
  const n = sizeOf(grads);
  const { constants, workgroups } = reduceLaunch('grad_norm', partials, n, options);
  return rt.kernel({
    shader: shaders[rowReduce(rt)],
    entryPoint: 'grad_norm',
    constants,
    bindings: [
      [partials, 'write'],
      [grads, 'read'],
    ],
    workgroups,
    flops: 2 * n,
  });
}
