/**
 * peft's PrefixEncoder with projection: hid = tanh(E·W0ᵀ + b0) (P, h), rows = hid·W2ᵀ + b2 (P, 2·L·C), and
 * layer l's key rows are columns [2l·C, (2l+1)·C) of `rows`, its value rows the next C columns (peft's
 * view/permute/split order). Computed once per step (both towers read it); the towers' attention backward
 * accumulates each layer's dpk/dpv, which are scattered back into d(rows) for the MLP's backward.
 */
import { clear, type Runtime, type StepCommand } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { activation } from '../kernels/activation';
import { activationBackward } from '../kernels/activation_backward';
import { sliceColumns, sliceColumnsBackward } from '../kernels/slice_columns';
import type { PrefixSource } from './bind_weights';
import type { PrefixRows } from './layer_types';
import { linearBackward, linearForward } from './linear';
import type { ModelWeights } from './weights';

export class PrefixMlp {
  private readonly pre: Tensor; // (P, h) E·W0ᵀ + b0
  private readonly hid: Tensor; // (P, h) tanh
  private readonly rows: Tensor; // (P, 2LC) every layer's key and value rows
  private readonly dRows: Tensor; // (P, 2LC)
  private readonly dHid: Tensor; // (P, h)
  private readonly dPre: Tensor; // (P, h)
  /** Per block j (2l = key, 2l+1 = value of layer l): the (P, C) rows attention reads and their gradient. */
  private readonly blocks: { readonly out: Tensor; readonly dout: Tensor }[] = [];

  constructor(
    private readonly rt: Runtime,
    private readonly mw: ModelWeights,
    private readonly P: number,
    private readonly hidden: number,
  ) {
    const { layers, hidden: C } = mw.plan.model;
    const t = (shape: number[], name: string): Tensor => rt.tensor(shape, `prefix.${name}`);
    this.pre = t([P, hidden], 'pre');
    this.hid = t([P, hidden], 'hid');
    this.rows = t([P, 2 * layers * C], 'rows');
    this.dRows = t([P, 2 * layers * C], 'dRows');
    this.dHid = t([P, hidden], 'dHid');
    this.dPre = t([P, hidden], 'dPre');
    for (let j = 0; j < 2 * layers; j++) this.blocks.push({ out: t([P, C], `block${j}`), dout: t([P, C], `dblock${j}`) });
  }

  source(): PrefixSource {
    return (layer) => {
      const [k, v] = [this.blocks[2 * layer], this.blocks[2 * layer + 1]];
      return k && v ? ({ pk: k.out, pv: v.out, dpk: k.dout, dpv: v.dout } satisfies PrefixRows) : null;
    };
  }

  private get dims() {
    const { layers, hidden: C } = this.mw.plan.model;
    return { P: this.P, h: this.hidden, C, W: 2 * layers * C };
  }

  forward(): StepCommand[] {
    const { rt, mw } = this;
    const { P, h, C, W } = this.dims;
    const list: StepCommand[] = [
      ...linearForward(rt, this.pre, mw.get('prefix.embedding.weight'), mw.get('prefix.mlp.0.weight'), mw.get('prefix.mlp.0.bias'), null, { rows: P, inDim: C, outDim: h }),
      activation(rt, this.hid, this.pre, 'tanh'),
      ...linearForward(rt, this.rows, this.hid, mw.get('prefix.mlp.2.weight'), mw.get('prefix.mlp.2.bias'), null, { rows: P, inDim: h, outDim: W }),
    ];
    // The towers accumulate into dout: it starts each step at zero.
    this.blocks.forEach((b, j) => list.push(sliceColumns(rt, b.out, this.rows, { rows: P, w: C, inW: W, off: j * C }), clear(b.dout)));
    return list;
  }

  backward(): StepCommand[] {
    const { rt, mw } = this;
    const { P, h, C, W } = this.dims;
    const list: StepCommand[] = this.blocks.map((b, j) => sliceColumnsBackward(rt, this.dRows, b.dout, { rows: P, w: C, inW: W, off: j * C }));
    const g2 = { dx: this.dHid, accumulateDx: false, dw: mw.grad('prefix.mlp.2.weight'), db: mw.grad('prefix.mlp.2.bias') };
    list.push(...linearBackward(rt, g2, this.dRows, this.hid, mw.get('prefix.mlp.2.weight'), null, { rows: P, inDim: h, outDim: W }));
    list.push(activationBackward(rt, this.dPre, this.dHid, this.pre, 'tanh'));
    const g0 = { dx: mw.grad('prefix.embedding.weight'), accumulateDx: true, dw: mw.grad('prefix.mlp.0.weight'), db: mw.grad('prefix.mlp.0.bias') };
    list.push(...linearBackward(rt, g0, this.dPre, mw.get('prefix.embedding.weight'), mw.get('prefix.mlp.0.weight'), null, { rows: P, inDim: C, outDim: h }));
    return list;
  }
}
