import code from '../../../shaders/layernorm_backward.wgsl?raw';
import type { Dispatch, Runtime } from '../gpu/runtime';
import { ceilDiv, grid1d } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { expectNumel, expectPositive } from './check';
import { rowWorkgroupSize } from './check';
import { rowReduce, rowShaders } from './lib';

const shaders = rowShaders('layernorm_backward', code);
const PARAM_COLS = 32; // COLS in layernorm_backward_params

export interface LayernormBackwardOptions {
  /** dinp += instead of dinp = (for an input whose gradient other kernels also produce). */
  readonly accumulate?: boolean;
  /**
   * false for a frozen LayerNorm: only the dinp dispatch is returned and dweight/dbias are neither bound nor
   * checked (any placeholder will do). Default true.
   */
  readonly params?: boolean;
}

/**
 * Gradients of layernorm from its cached mean and rstd: dinp (written, or added with `accumulate`) and
 * dweight, dbias (+=). Two dispatches: one workgroup per row for dinp, then a column-owned reduction over
 * rows for the parameter gradients.
 */
export function layernormBackward(
  rt: Runtime,
  dinp: Tensor,
  dweight: Tensor,
  dbias: Tensor,
  dout: Tensor,
  inp: Tensor,
  weight: Tensor,
  mean: Tensor,
  rstd: Tensor,
  rows: number,
  C: number,
  options: LayernormBackwardOptions = {},
): Dispatch[] {
  const op = 'layernormBackward';
  expectPositive(op, { rows, C });
  for (const [name, t] of [['dinp', dinp], ['dout', dout], ['inp', inp]] as const) expectNumel(op, name, t, rows * C);
  const params = options.params ?? true;
  expectNumel(op, 'weight', weight, C);
  if (params) for (const [name, t] of [['dweight', dweight], ['dbias', dbias]] as const) expectNumel(op, name, t, C);
  for (const [name, t] of [['mean', mean], ['rstd', rstd]] as const) expectNumel(op, name, t, rows);
  // The row pass binds the first six; the params pass adds dweight and dbias (see the shader).
  const rowBindings = [
    [dinp, 'write'],
    [dout, 'read'],
    [inp, 'read'],
    [weight, 'read'],
    [mean, 'read'],
    [rstd, 'read'],
  ] as const;
  const constants = { ROWS: rows, C, WG: rowWorkgroupSize(C), ACCUMULATE: options.accumulate ?? false };
  const shader = shaders[rowReduce(rt)];
  const rowsPass = rt.kernel({
    shader,
    entryPoint: 'layernorm_backward',
    constants,
    bindings: rowBindings,
    workgroups: grid1d(rows, 1),
    flops: 12 * rows * C,
  });
  if (!params) return [rowsPass];
  return [
    rowsPass,
    rt.kernel({
      shader,
      entryPoint: 'layernorm_backward_params',
      constants,
      bindings: [...rowBindings, [dweight, 'write'], [dbias, 'write']],
      workgroups: grid1d(ceilDiv(C, PARAM_COLS), 1),
      flops: 5 * rows * C,
    }),
  ];
}
