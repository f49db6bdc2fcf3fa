import code from '../../../shaders/cross_entropy.wgsl?raw';
import { shapeError } from '../gpu/errors';
import type { Dispatch, Runtime } from '../gpu/runtime';
import { grid1d } from '../gpu/runtime';
import { shapeString, type Tensor } from '../gpu/tensor';
import { expectNumel, expectPositive, rowWorkgroupSize } from './check';
import { rowReduce, rowShaders } from './lib';

const shaders = rowShaders('cross_entropy', code);

/** Rows and columns of a (R, C) logits tensor, and checks that targets are (R) u32. */
export function logitsShape(op: string, logits: Tensor, targets: Tensor): { rows: number; cols: number } {
  if (logits.shape.length !== 2) throw shapeError(op, `logits ${shapeString(logits.shape)} must be (R, C)`);
  const [rows, cols] = logits.shape as [number, number];
  expectPositive(op, { R: rows, C: cols });
  expectNumel(op, 'targets', targets, rows);
  if (targets.dtype !== 'u32') throw shapeError(op, `targets must be u32, got ${targets.dtype}`);
  return { rows, cols };
}

/**
 * loss[0] = Σ_r weights_r · (logsumexp(logits_r) − logits_r[targets_r]) (weights 1/R: the mean); losses (R) per
 * row; lse (R) is saved for crossEntropyBackward. Two dispatches: one workgroup per row, then one for the sum.
 */
export function crossEntropy(rt: Runtime, loss: Tensor, losses: Tensor, lse: Tensor, logits: Tensor, targets: Tensor, weights: Tensor): Dispatch[] {
  const { rows, cols } = logitsShape('cross_entropy', logits, targets);
  expectNumel('cross_entropy', 'loss', loss, 1);
  expectNumel('cross_entropy', 'losses', losses, rows);
  expectNumel('cross_entropy', 'lse', lse, rows);
  expectNumel('cross_entropy', 'weights', weights, rows);
  const constants = { R: rows, C: cols, WG: rowWorkgroupSize(cols, 64) };
  const bindings = [
    [loss, 'write'],
    [losses, 'write'],
    [lse, 'write'],
    [logits, 'read'],
    [targets, 'read'],
    [weights, 'read'],
  ] as const;
  const shader = shaders[rowReduce(rt)];
  return [
    rt.kernel({ shader, entryPoint: 'cross_entropy', constants, bindings, workgroups: grid1d(rows, 1), flops: 4 * rows * cols }),
    rt.kernel({ shader, entryPoint: 'cross_entropy_total', constants, bindings, workgroups: [1, 1, 1], flops: rows }),
  ];
}
