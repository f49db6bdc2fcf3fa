/**
 * The encoder over one tower, top to bottom:
 *   forward:  emb = LN(word[ids] + pos[pos] + type[0]); for l: x = layer_l(x); vec = head(x)
 *   backward: dx = head⁻¹(dvec); for l from the top down to the lowest trainable layer: dx = layer_l⁻¹(dx);
 *             embeddings⁻¹ only when they train (full fine-tuning).
 */
import type { Runtime, StepCommand } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { dropout } from '../kernels/dropout';
import { dropoutBackward } from '../kernels/dropout_backward';
import { embedding } from '../kernels/embedding';
import { embeddingBackward, embeddingPlanTensors, writeEmbeddingPlan, type EmbeddingPlanTensors } from '../kernels/embedding_backward';
import { layernorm } from '../kernels/layernorm';
import { layernormBackward } from '../kernels/layernorm_backward';
import { embeddingBackwardPlan } from '../kernels/embedding_plan';
import { positionIds } from './positions';
import type { EncoderWeights } from './bind_weights';
import type { EncoderConfig } from './config';
import { Head, type HeadConfig } from './head';
import { layerBackward, layerForward } from './layer';
import { attentionSeed, embeddingStream, layerStreamBase } from './rng_streams';
import type { LayerActs, LayerContext, TowerScratch } from './layer_types';
import { allocateActivationQuant, allocateEmbeddingActs, allocateInputs, allocateLayers, allocateScratch, type EmbeddingActs, type TowerInputs, type TowerOptions, type TowerShape } from './tower';

export class EncoderTower {
  readonly inputs: TowerInputs;
  readonly emb: EmbeddingActs;
  readonly layers: readonly LayerActs[];
  /** Null in forward-only (evaluation) towers. */
  private readonly scratchOrNull: TowerScratch | null;
  readonly head: Head;
  private readonly plans: { word: EmbeddingPlanTensors; position: EmbeddingPlanTensors; type: EmbeddingPlanTensors } | null;
  private readonly contexts: readonly LayerContext[];
  /** The step's dropout seed (one uniform word), shared by every dropout site of the tower. */
  readonly seed: Tensor;

  constructor(
    private readonly rt: Runtime,
    readonly cfg: EncoderConfig,
    private readonly w: EncoderWeights,
    readonly shape: TowerShape,
    readonly options: TowerOptions,
    head: HeadConfig,
    /** Distinguishes the towers' dropout streams. */
    readonly index: number,
    readonly label: string,
    /** The lowest layer any backward of this tower reaches: the layers below keep no activations. */
    keepFrom = 0,
  ) {
    this.inputs = allocateInputs(rt, shape, label);
    this.seed = rt.uniform(1, `${label}.seed`);
    this.emb = allocateEmbeddingActs(rt, shape, cfg.hidden, options.hiddenDropout, label);
    this.layers = allocateLayers(rt, cfg, w.layers, shape, options, label, keepFrom);
    this.scratchOrNull = options.forwardOnly ? null : allocateScratch(rt, cfg, w, shape, options, label);
    this.head = new Head(rt, cfg, w.pooler, head, shape, label, options.quantizeActivations === true);
    const quant = options.quantizeActivations ? allocateActivationQuant(rt, cfg, shape, label) : null;
    const n = shape.B * shape.T;
    this.plans = w.embeddings.dWord && !options.forwardOnly
      ? {
          word: embeddingPlanTensors(rt, cfg.vocabSize, n, `${label}.plan.word`),
          position: embeddingPlanTensors(rt, cfg.maxPositions, n, `${label}.plan.position`),
          type: embeddingPlanTensors(rt, cfg.typeVocabSize, n, `${label}.plan.type`),
        }
      : null;
    this.contexts = w.layers.map((_, l) => ({
      dims: { B: shape.B, T: shape.T, C: cfg.hidden, H: cfg.heads, I: cfg.intermediate, P: shape.P, eps: cfg.layerNormEps },
      mask: this.inputs.mask,
      seed: this.seed,
      streamBase: layerStreamBase(index, l, cfg.layers),
      hiddenDropout: options.hiddenDropout,
      attentionDropout: options.attentionDropout,
      loraDropout: options.loraDropout,
      quant,
    }));
  }

  /** Uploads a batch of token ids (B, T), already padded with the pad id. */
  setBatch(ids: Uint32Array, stepSeed: number): void {
    const { B, T, P } = this.shape;
    const pad = this.cfg.padTokenId;
    const pos = positionIds(ids, B, T, pad);
    // With a prefix, HF shifts real tokens' positions by the P past key/value rows (pad positions stay pad).
    if (P > 0) for (let i = 0; i < pos.length; i++) if (ids[i] !== pad) pos[i] = pos[i]! + P;
    const mask = ids.map((id) => (id === pad ? 0 : 1));
    const tt = new Uint32Array(ids.length);
    this.rt.write(this.inputs.ids, ids);
    this.rt.write(this.inputs.pos, pos);
    this.rt.write(this.inputs.tt, tt);
    this.rt.write(this.inputs.mask, mask);
    this.rt.write(this.seed, Uint32Array.of(stepSeed >>> 0));
    this.layers.forEach((a, l) => this.rt.write(a.attnParams, Uint32Array.of(attentionSeed(stepSeed, this.index, l))));
    if (this.plans) {
      writeEmbeddingPlan(this.rt, this.plans.word, embeddingBackwardPlan(ids, pad));
      writeEmbeddingPlan(this.rt, this.plans.position, embeddingBackwardPlan(pos, pad));
      writeEmbeddingPlan(this.rt, this.plans.type, embeddingBackwardPlan(tt));
    }
  }

  get scratch(): TowerScratch {
    if (!this.scratchOrNull) throw new Error(`${this.label} is a forward-only tower: it has no backward`);
    return this.scratchOrNull;
  }

  get output(): Tensor {
    return this.layers[this.layers.length - 1]?.out ?? this.emb.out;
  }

  /** The training forward listing, built once (dispatch records are re-encoded every step). */
  forward(): StepCommand[] {
    this.forwardList ??= this.buildForward(true);
    return this.forwardList;
  }

  /**
   * The same forward without dropout, over the same buffers: evaluation reuses a training tower's memory
   * (the next training step rewrites every activation anyway).
   */
  inference(): StepCommand[] {
    if (this.options.hiddenDropout === 0 && this.options.attentionDropout === 0 && this.options.loraDropout === 0) return this.forward();
    this.inferenceList ??= this.buildForward(false);
    return this.inferenceList;
  }

  private forwardList: StepCommand[] | null = null;
  private inferenceList: StepCommand[] | null = null;

  private buildForward(withDropout: boolean): StepCommand[] {
    const { rt, emb, w } = this;
    const rows = this.shape.B * this.shape.T;
    const C = this.cfg.hidden;
    const e = w.embeddings;
    const list: StepCommand[] = [
      embedding(rt, emb.sum, this.inputs.ids, this.inputs.pos, this.inputs.tt, e.word, e.position, e.tokenType, rows, C),
      layernorm(rt, emb.ln, emb.mean, emb.rstd, emb.sum, e.ln.w, e.ln.b, rows, C, this.cfg.layerNormEps),
    ];
    const embDropout = withDropout && this.options.hiddenDropout > 0;
    if (embDropout) list.push(dropout(rt, emb.out, emb.ln, { seed: this.seed, stream: embeddingStream(this.index, this.cfg.layers) }, this.options.hiddenDropout));
    let x = embDropout ? emb.out : emb.ln;
    this.layers.forEach((a, l) => {
      const c = this.contexts[l]!;
      const context = withDropout ? c : { ...c, hiddenDropout: 0, attentionDropout: 0, loraDropout: 0 };
      list.push(...layerForward(rt, a, x, w.layers[l]!, context));
      x = a.out;
    });
    list.push(...this.head.forward(x, this.inputs.mask));
    return list;
  }

  /**
   * Backward from head.dvec (the loss gradient w.r.t. this tower's embeddings) with the gradients `w` binds,
   * down to `lowest` (−1: through the embeddings; `layers`: the encoder trains nothing).
   */
  backward(w: EncoderWeights, lowest: number): StepCommand[] {
    const { rt, scratch: s } = this;
    const L = this.cfg.layers;
    const list: StepCommand[] = [...this.head.backward(s.resA, this.inputs.mask, lowest < L, w.pooler)];
    if (lowest >= L) return list;
    let dOut = s.resA;
    let dIn = s.resB;
    for (let l = L - 1; l >= Math.max(lowest, 0); l--) {
      const x = l === 0 ? this.emb.out : this.layers[l - 1]!.out;
      list.push(...layerBackward(rt, dIn, dOut, this.layers[l]!, x, w.layers[l]!, s, this.contexts[l]!, l > lowest));
      [dOut, dIn] = [dIn, dOut];
    }
    if (lowest < 0) list.push(...this.embeddingsBackward(w, dOut, dIn));
    return list;
  }

  private embeddingsBackward(w: EncoderWeights, dOut: Tensor, scratch: Tensor): StepCommand[] {
    const { rt, emb, plans } = this;
    const e = w.embeddings;
    if (!plans || !e.dWord || !e.dPosition || !e.dTokenType || !e.ln.dw || !e.ln.db) return [];
    const rows = this.shape.B * this.shape.T;
    const C = this.cfg.hidden;
    const list: StepCommand[] = [];
    let dLn = dOut;
    if (this.options.hiddenDropout > 0) {
      list.push(dropoutBackward(rt, this.scratch.dDense, dOut, { seed: this.seed, stream: embeddingStream(this.index, this.cfg.layers) }, this.options.hiddenDropout));
      dLn = this.scratch.dDense;
    }
    list.push(...layernormBackward(rt, scratch, e.ln.dw, e.ln.db, dLn, emb.sum, e.ln.w, emb.mean, emb.rstd, rows, C));
    list.push(embeddingBackward(rt, e.dWord, scratch, plans.word, C));
    list.push(embeddingBackward(rt, e.dPosition, scratch, plans.position, C));
    list.push(embeddingBackward(rt, e.dTokenType, scratch, plans.type, C));
    return list;
  }
}
