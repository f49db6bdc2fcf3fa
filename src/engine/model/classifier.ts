/**
 * transformers' RobertaClassificationHead over the <s> state the tower pools (pooling 'cls'):
 *   forward:  x0 = dropout(s); d = dense(x0); t = tanh(d); x1 = dropout(t); logits = out_proj(x1)
 *   backward: the same in reverse, from dlogits to ds (the tower's head.dvec); dense and out_proj always train.
 * The two dropouts draw from the tower's seed on the classifier streams (rng_streams.ts); evaluation heads have none.
 */
import type { Runtime, StepCommand } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { activation } from '../kernels/activation';
import { activationBackward } from '../kernels/activation_backward';
import { dropout, type DropoutSite } from '../kernels/dropout';
import { dropoutBackward } from '../kernels/dropout_backward';
import { linearBackward, linearForward } from './linear';
import { classifierStream } from './rng_streams';
import type { ModelWeights } from './weights';

interface HeadLinear {
  readonly w: Tensor; // (out, in)
  readonly b: Tensor; // (out)
}

/** Where the head's dropout draws: the tower's step seed and index (null: no dropout, as in evaluation). */
export interface ClassifierDropout {
  readonly p: number;
  readonly seed: Tensor;
  readonly tower: number;
  readonly layers: number;
}

export class ClassifierHead {
  readonly x0: Tensor; // (B, C) dropout(s), saved for dense's weight gradient (s itself when p = 0)
  readonly dense: Tensor; // (B, C) pre-tanh, saved for tanh's backward
  readonly t: Tensor; // (B, C) tanh
  readonly x1: Tensor; // (B, C) dropout(t), saved for out_proj's weight gradient (t itself when p = 0)
  readonly logits: Tensor; // (B, K)
  readonly dlogits: Tensor; // (B, K) written by the objective
  private readonly dx1: Tensor; // (B, C) scratch
  private readonly dd: Tensor; // (B, C) scratch
  private readonly denseW: HeadLinear;
  private readonly outW: HeadLinear;
  private readonly sites: readonly [DropoutSite, DropoutSite] | null;

  constructor(
    private readonly rt: Runtime,
    private readonly mw: ModelWeights,
    /** The pooled <s> state (B, C): the tower's head.vec. */
    private readonly s: Tensor,
    readonly B: number,
    readonly C: number,
    readonly K: number,
    private readonly drop: ClassifierDropout | null,
    label: string,
  ) {
    const t = (name: string, cols = C): Tensor => rt.tensor([B, cols], `${label}.classifier.${name}`);
    const dropped = drop !== null && drop.p > 0;
    const site = (n: number): DropoutSite => ({ seed: drop!.seed, stream: classifierStream(drop!.tower, drop!.layers, n) });
    this.sites = dropped ? [site(0), site(1)] : null;
    this.x0 = dropped ? t('x0') : s;
    this.dense = t('dense');
    this.t = t('tanh');
    this.x1 = dropped ? t('x1') : this.t;
    this.logits = t('logits', K);
    this.dlogits = t('dlogits', K);
    this.dx1 = t('dx1');
    this.dd = t('dd');
    this.denseW = { w: mw.get('classifier.dense.weight'), b: mw.get('classifier.dense.bias') };
    this.outW = { w: mw.get('classifier.out_proj.weight'), b: mw.get('classifier.out_proj.bias') };
  }

  /** The training forward; `withDropout` false: the evaluation forward over the same buffers (no dropout). */
  forward(withDropout = true): StepCommand[] {
    const { rt, B, C, K } = this;
    const sites = withDropout ? this.sites : null;
    const p = this.drop?.p ?? 0;
    const x0 = sites ? this.x0 : this.s;
    const x1 = sites ? this.x1 : this.t;
    return [
      ...(sites ? [dropout(rt, x0, this.s, sites[0], p)] : []),
      ...linearForward(rt, this.dense, x0, this.denseW.w, this.denseW.b, null, { rows: B, inDim: C, outDim: C }),
      activation(rt, this.t, this.dense, 'tanh'),
      ...(sites ? [dropout(rt, x1, this.t, sites[1], p)] : []),
      ...linearForward(rt, this.logits, x1, this.outW.w, this.outW.b, null, { rows: B, inDim: C, outDim: K }),
    ];
  }

  /** ds (B, C) written from dlogits; the head's weight gradients added. `needDs` false: the encoder trains nothing. */
  backward(ds: Tensor, needDs: boolean): StepCommand[] {
    const { rt, B, C, K, sites } = this;
    const p = this.drop?.p ?? 0;
    const g = (name: string): Tensor => {
      const grad = this.mw.grad(name);
      if (!grad) throw new Error(`${name} has no gradient: the classification head always trains`);
      return grad;
    };
    const dT = sites ? this.dd : this.dx1; // dropout(t)'s gradient lands in dd, then tanh's back in dx1
    const outGrads = { dx: this.dx1, accumulateDx: false, dw: g('classifier.out_proj.weight'), db: g('classifier.out_proj.bias') };
    const list: StepCommand[] = [...linearBackward(rt, outGrads, this.dlogits, this.x1, this.outW.w, null, { rows: B, inDim: C, outDim: K })];
    if (sites) list.push(dropoutBackward(rt, this.dd, this.dx1, sites[1], p));
    const dDense = dT === this.dd ? this.dx1 : this.dd;
    list.push(activationBackward(rt, dDense, dT, this.dense, 'tanh'));
    const dX0 = sites ? this.dd : ds;
    const denseGrads = { dx: needDs ? dX0 : null, accumulateDx: false, dw: g('classifier.dense.weight'), db: g('classifier.dense.bias') };
    list.push(...linearBackward(rt, denseGrads, dDense, this.x0, this.denseW.w, null, { rows: B, inDim: C, outDim: C }));
    if (needDs && sites) list.push(dropoutBackward(rt, ds, this.dd, sites[0], p));
    return list;
  }
}

