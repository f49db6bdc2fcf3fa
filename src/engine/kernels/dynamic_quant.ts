import code from '../../../shaders/dynamic_quant.wgsl?raw';
import type { Dispatch, Runtime } from '../gpu/runtime';
import { ELEMENTWISE_WG, grid1d } from '../gpu/runtime';
import { sizeOf, type Tensor } from '../gpu/tensor';
import { expectAtLeast, expectNumel, expectPositive } from './check';
import { rowReduce, rowShaders } from './lib';

const shaders = rowShaders('dynamic_quant', code);
const WG = ELEMENTWISE_WG;
const ITEMS = 8;

/** Elements of the `partials` scratch a quantization of `n` values needs (a larger one serves too). */
export function dynamicQuantPartials(n: number, itemsPerThread = ITEMS): number {
  return 2 * Math.ceil(n / (WG * itemsPerThread));
}

/**
 * out = the input quantized to quint8 and back, as quantize_dynamic's Linear quantizes its input (fbgemm,
 * reduce_range; shaders/dynamic_quant.wgsl); stats (4) receives scale, zero point, min and max. Three
 * dispatches: the range in workgroup partials, the parameters, the elementwise quantization.
 * `itemsPerThread` (tests) shrinks the tiles to reach the 2-D grid without millions of elements.
 */
export function dynamicQuant(rt: Runtime, out: Tensor, stats: Tensor, partials: Tensor, inp: Tensor, itemsPerThread = ITEMS): Dispatch[] {
  const n = sizeOf(inp);
  expectPositive('dynamic_quant', { n, itemsPerThread });
  expectNumel('dynamic_quant', 'out', out, n);
  expectNumel('dynamic_quant', 'stats', stats, 4);
  expectAtLeast('dynamic_quant', 'partials', partials, dynamicQuantPartials(n, itemsPerThread));
  const p = dynamicQuantPartials(n, itemsPerThread) / 2;
  const constants = { N: n, P: p, ITEMS: itemsPerThread, WG };
  const shader = shaders[rowReduce(rt)];
  const bindings = [
    [stats, 'write'],
    [partials, 'write'],
    [inp, 'read'],
    [out, 'write'],
  ] as const;
  return [
    rt.kernel({ shader, entryPoint: 'range_partials', constants, bindings, workgroups: grid1d(p, 1), flops: n }),
    rt.kernel({ shader, entryPoint: 'range_final', constants, bindings, workgroups: [1, 1, 1], flops: p }),
    rt.kernel({ shader, entryPoint: 'fake_quant', constants, bindings, workgroups: grid1d(n, WG), flops: 4 * n }),
  ];
}
