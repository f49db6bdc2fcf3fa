/**
 * The embedding head: CodeXGLUE's pooler output tanh(dense(h[<s>])) by default, or the raw <s> state, or
 * the masked mean (UniXcoder), optionally L2-normalized.
 */
import type { Runtime, StepCommand } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { activation } from '../kernels/activation';
import { dynamicQuant } from '../kernels/dynamic_quant';
import { activationBackward } from '../kernels/activation_backward';
import { l2Normalize } from '../kernels/l2_normalize';
import { l2NormalizeBackward } from '../kernels/l2_normalize_backward';
import { pooling } from '../kernels/pooling';
import { poolingBackward } from '../kernels/pooling_backward';
import type { EncoderConfig } from './config';
import type { LinearWeights } from './layer_types';
import { linearBackward, linearForward } from './linear';
import { quantScratch, type QuantScratch, type TowerShape } from './tower';

export type Pooling = 'pooler' | 'cls' | 'mean';

export interface HeadConfig {
  readonly pooling: Pooling;
  readonly normalize: boolean;
}

export class Head {
  readonly pooled: Tensor; // (B, C) <s> state or masked mean
  readonly dense: Tensor; // (B, C) pooler dense output (pre-tanh)
  readonly tanh: Tensor; // (B, C) pooler output
  readonly vec: Tensor; // (B, C) the embedding the loss and retrieval use
  readonly norm: Tensor; // (B) row norms, saved for backward
  readonly dvec: Tensor; // (B, C) loss gradient w.r.t. vec, written by the objective
  private readonly d1: Tensor; // (B, C) scratch
  private readonly d2: Tensor; // (B, C) scratch

  constructor(
    private readonly rt: Runtime,
    private readonly cfg: EncoderConfig,
    private readonly w: LinearWeights,
    readonly config: HeadConfig,
    private readonly shape: TowerShape,
    label: string,
    /** Quantize the pooler dense layer's input as quantize_dynamic does (evaluation only). */
    quantize = false,
  ) {
    const t = (name: string): Tensor => rt.tensor([shape.B, cfg.hidden], `${label}.head.${name}`);
    this.pooled = t('pooled');
    const usesPooler = config.pooling === 'pooler';
    this.dense = usesPooler ? t('dense') : this.pooled;
    this.tanh = usesPooler ? t('tanh') : this.pooled;
    this.vec = config.normalize ? t('vec') : this.tanh;
    this.norm = rt.tensor([shape.B], `${label}.head.norm`);
    this.dvec = t('dvec');
    this.d1 = t('d1');
    this.d2 = t('d2');
    this.quant = quantize && config.pooling === 'pooler' ? { stats: rt.tensor([4], `${label}.head.quant.stats`), ...quantScratch(rt, shape.B, cfg.hidden, `${label}.head.quant`) } : null;
  }

  private readonly quant: (QuantScratch & { readonly stats: Tensor }) | null;

  private get mode(): 'cls' | 'mean' {
    return this.config.pooling === 'mean' ? 'mean' : 'cls';
  }

  forward(h: Tensor, mask: Tensor): StepCommand[] {
    const { rt, shape, cfg } = this;
    const { B, T } = shape;
    const C = cfg.hidden;
    const list: StepCommand[] = [pooling(rt, this.pooled, h, mask, B, T, C, this.mode)];
    if (this.config.pooling === 'pooler') {
      const q = this.quant;
      if (q) list.push(...dynamicQuant(rt, q.x, q.stats, q.partials, this.pooled));
      list.push(...linearForward(rt, this.dense, q ? q.x : this.pooled, this.w.w, this.w.b, null, { rows: B, inDim: C, outDim: C }));
      list.push(activation(rt, this.tanh, this.dense, 'tanh'));
    }
    if (this.config.normalize) list.push(l2Normalize(rt, this.vec, this.norm, this.tanh, B, C));
    return list;
  }

  /** dh (B*T, C) written from dvec; pooler gradients when it trains. `needDh` false skips the encoder part. */
  backward(dh: Tensor, mask: Tensor, needDh: boolean, pooler: LinearWeights): StepCommand[] {
    const { rt, shape, cfg } = this;
    const { B, T } = shape;
    const C = cfg.hidden;
    const list: StepCommand[] = [];
    let d = this.dvec;
    if (this.config.normalize) {
      list.push(l2NormalizeBackward(rt, this.d1, d, this.vec, this.norm, B, C));
      d = this.d1;
    }
    if (this.config.pooling === 'pooler') {
      list.push(activationBackward(rt, this.d2, d, this.dense, 'tanh'));
      const dPooled = d === this.d1 ? this.dvec : this.d1; // whichever scratch is free now
      const g = { dx: needDh ? dPooled : null, accumulateDx: false, dw: pooler.dw, db: pooler.db };
      list.push(...linearBackward(rt, g, this.d2, this.pooled, this.w.w, null, { rows: B, inDim: C, outDim: C }));
      d = dPooled;
    }
    if (needDh) list.push(poolingBackward(rt, dh, d, mask, B, T, C, this.mode));
    return list;
  }
}
