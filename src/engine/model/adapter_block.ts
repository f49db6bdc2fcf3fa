/**
 * A bottleneck adapter on a sublayer output y (rows, C): z = y + up(act(down(y))). Forward saves the
 * bottleneck pre-activation and activation; backward forks dz into the skip path (copied) and the bottleneck
 * path (accumulated on top).
 */
import { copy, type Runtime, type StepCommand } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import type { Activation } from '../kernels/activation';
import { activation } from '../kernels/activation';
import { activationBackward } from '../kernels/activation_backward';
import { add } from '../kernels/add';
import { linearBackward, linearForward } from './linear';

export interface AdapterWeights {
  readonly down: Tensor; // (m, C)
  readonly downBias: Tensor; // (m)
  readonly up: Tensor; // (C, m)
  readonly upBias: Tensor; // (C)
  readonly grads: { readonly down: Tensor; readonly downBias: Tensor; readonly up: Tensor; readonly upBias: Tensor };
  readonly activation: Activation;
  readonly size: number; // m
}

export interface AdapterActs {
  readonly pre: Tensor; // (rows, m) down(y), saved
  readonly act: Tensor; // (rows, m) act(pre), saved
  readonly upOut: Tensor; // (rows, C) up(act)
  readonly out: Tensor; // (rows, C) z
}

export interface AdapterScratch {
  readonly dAct: Tensor; // (rows, m)
  readonly dPre: Tensor; // (rows, m)
}

export function adapterForward(rt: Runtime, a: AdapterActs, y: Tensor, w: AdapterWeights, rows: number, C: number): StepCommand[] {
  return [
    ...linearForward(rt, a.pre, y, w.down, w.downBias, null, { rows, inDim: C, outDim: w.size }),
    activation(rt, a.act, a.pre, w.activation),
    ...linearForward(rt, a.upOut, a.act, w.up, w.upBias, null, { rows, inDim: w.size, outDim: C }),
    add(rt, a.out, y, a.upOut),
  ];
}

/** dy (written) from dz; adapter parameter gradients (+=). dy and dz must be different tensors. */
export function adapterBackward(
  rt: Runtime,
  dy: Tensor,
  dz: Tensor,
  y: Tensor,
  a: AdapterActs,
  w: AdapterWeights,
  s: AdapterScratch,
  rows: number,
  C: number,
): StepCommand[] {
  const g = w.grads;
  return [
    ...linearBackward(rt, { dx: s.dAct, accumulateDx: false, dw: g.up, db: g.upBias }, dz, a.act, w.up, null, { rows, inDim: w.size, outDim: C }),
    activationBackward(rt, s.dPre, s.dAct, a.pre, w.activation),
    copy(dy, dz),
    ...linearBackward(rt, { dx: dy, accumulateDx: true, dw: g.down, db: g.downBias }, s.dPre, y, w.down, null, { rows, inDim: C, outDim: w.size }),
  ];
}
