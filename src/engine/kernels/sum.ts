import code from '../../../shaders/sum.wgsl?raw';
import { shapeError } from '../gpu/errors';
import type { Dispatch, Runtime } from '../gpu/runtime';
import { ELEMENTWISE_WG, grid1d } from '../gpu/runtime';
import { sizeOf, type Tensor } from '../gpu/tensor';
import { expectNumel, expectPositive } from './check';
import { rowReduce, rowShaders } from './lib';

const shaders = rowShaders('sum', code, 'tileSum');
const WG = ELEMENTWISE_WG;
const ITEMS = 8; // a workgroup reduces 2048 elements by default

/**
 * Tuning knobs of the reductions (sum, grad_norm). The defaults suit real GPUs; the tests shrink them to
 * reach more than 65535 workgroups (the 2-D grid) without millions of elements.
 */
export interface ReduceOptions {
  /** Elements each invocation adds in the partials pass (default ITEMS). */
  readonly itemsPerThread?: number;
  /** Workgroup size, a power of two up to 256 (default WG). */
  readonly workgroupSize?: number;
}

export interface ReduceLaunch {
  /** Number of partials, the size of the caller's scratch tensor. */
  readonly p: number;
  readonly constants: Readonly<Record<string, number>>;
  readonly workgroups: [number, number, number];
}

/** Number of partial sums a reduction of `n` elements writes (the size of its `partials` scratch tensor). */
export function reducePartials(n: number, options: ReduceOptions = {}): number {
  return Math.ceil(n / ((options.workgroupSize ?? WG) * (options.itemsPerThread ?? ITEMS)));
}

/** The shared shape of a partials pass: one workgroup per partial, on a 2-D grid past 65535 of them. */
export function reduceLaunch(op: string, partials: Tensor, n: number, options: ReduceOptions): ReduceLaunch {
  const items = options.itemsPerThread ?? ITEMS;
  const wg = options.workgroupSize ?? WG;
  expectPositive(op, { n, itemsPerThread: items });
  if (!(wg >= 1 && wg <= 256 && (wg & (wg - 1)) === 0)) throw shapeError(op, `workgroupSize ${wg} is not a power of two up to 256`);
  const p = reducePartials(n, options);
  expectNumel(op, 'partials', partials, p);
  return { p, constants: { N: n, P: p, ITEMS: items, WG: wg }, workgroups: grid1d(p, 1) };
}

/**
 * out[0] = Σ inp. Two dispatches: workgroup partials, then one workgroup adds them (no atomics).
 * `partials` is caller-owned scratch of reducePartials(n) elements.
 */
export function sum(rt: Runtime, out: Tensor, partials: Tensor, inp: Tensor, options: ReduceOptions = {}): Dispatch[] {
  const n = sizeOf(inp);
  expectNumel('sum', 'out', out, 1);
  const { p, constants, workgroups } = reduceLaunch('sum', partials, n, options);
  const bindings = [
    [out, 'write'],
    [partials, 'write'],
    [inp, 'read'],
  ] as const;
  return [
    rt.kernel({ shader: shaders[rowReduce(rt)], entryPoint: 'sum', constants, bindings, workgroups, flops: n }),
    rt.kernel({ shader: shaders[rowReduce(rt)], entryPoint: 'sum_final', constants, bindings, workgroups: [1, 1, 1], flops: p }),
  ];
}
