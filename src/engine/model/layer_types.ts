/** The tensors one encoder layer reads and writes, named as in the forward listing. */
import type { ActivationQuant } from './tower';
import type { Tensor } from '../gpu/tensor';
import type { DropoutSite } from '../kernels/dropout';
import type { AdapterActs, AdapterScratch, AdapterWeights } from './adapter_block';
import type { LinearSite } from './params';

export interface LoraParams {
  readonly a: Tensor; // (r, in)
  readonly b: Tensor; // (out, r)
  readonly da: Tensor; // (r, in) +=
  readonly db: Tensor; // (out, r) +=
  readonly rank: number;
  readonly scale: number;
}

/** (IA)³'s vector on a linear: it scales the input (in) or the output (out). */
export interface ScaleParams {
  readonly l: Tensor;
  readonly dl: Tensor; // +=
  readonly side: 'input' | 'output';
}

export interface LinearWeights {
  readonly w: Tensor; // (out, in)
  readonly b: Tensor; // (out)
  readonly dw: Tensor | null; // null when frozen
  readonly db: Tensor | null;
  readonly lora: LoraParams | null;
  readonly scale: ScaleParams | null;
}

export interface NormWeights {
  readonly w: Tensor; // (C)
  readonly b: Tensor; // (C)
  readonly dw: Tensor | null;
  readonly db: Tensor | null;
}

export interface PrefixRows {
  readonly pk: Tensor; // (P, C)
  readonly pv: Tensor; // (P, C)
  readonly dpk: Tensor; // (P, C) +=
  readonly dpv: Tensor; // (P, C) +=
}

export interface LayerWeights {
  readonly linear: Readonly<Record<LinearSite, LinearWeights>>;
  readonly ln1: NormWeights; // attention.output.LayerNorm
  readonly ln2: NormWeights; // output.LayerNorm
  readonly attnAdapter: AdapterWeights | null;
  readonly ffnAdapter: AdapterWeights | null;
  readonly prefix: PrefixRows | null;
}

/** Forward activations of one layer for one tower; forward keeps exactly what backward reads. */
export interface LayerActs {
  readonly q: Tensor; // (BT, C)
  readonly k: Tensor; // (BT, C)
  readonly v: Tensor; // (BT, C)
  readonly rowStats: Tensor; // (B, H, T, 2) softmax row max and sum, from which the backward recomputes probabilities
  readonly ctx: Tensor; // (BT, C) attention output before the output dense
  readonly ao: Tensor; // (BT, C) attention.output.dense
  readonly aoDrop: Tensor; // (BT, C) after hidden dropout (= ao when p = 0)
  readonly attnAdapter: AdapterActs | null;
  readonly res1: Tensor; // (BT, C) x + attention branch
  readonly mean1: Tensor; // (BT) cached for backward
  readonly rstd1: Tensor; // (BT)
  readonly h1: Tensor; // (BT, C) LN1 output
  readonly f1: Tensor; // (BT, I) intermediate.dense (pre-GELU)
  readonly f1a: Tensor; // (BT, I) GELU output
  readonly f2: Tensor; // (BT, C) output.dense
  readonly f2Drop: Tensor; // (BT, C) after hidden dropout
  readonly ffnAdapter: AdapterActs | null;
  readonly res2: Tensor; // (BT, C) h1 + FFN branch
  readonly mean2: Tensor; // (BT)
  readonly rstd2: Tensor; // (BT)
  readonly out: Tensor; // (BT, C) layer output
  readonly loraH: Partial<Record<LinearSite, Tensor>>; // (BT, r) per LoRA site
  readonly loraXd: Partial<Record<LinearSite, Tensor>>; // (BT, in) dropped LoRA input, when lora_dropout > 0
  readonly scaleSaved: Partial<Record<LinearSite, Tensor>>; // (BT, in) scaled input or (BT, out) unscaled output, per (IA)³ site
  readonly attnParams: Tensor; // uniform: this layer's attention-dropout seed
}

/** Activation-gradient scratch shared by all layers of a tower (backward runs one layer at a time). */
export interface TowerScratch {
  readonly resA: Tensor; // (BT, C) residual-stream gradient, ping
  readonly resB: Tensor; // (BT, C) pong
  readonly dRes2: Tensor; // (BT, C)
  readonly dBranch: Tensor; // (BT, C) gradient of the sublayer output before the adapter
  readonly dDense: Tensor; // (BT, C) gradient of the dense output before dropout
  readonly dCtx: Tensor; // (BT, C)
  readonly dq: Tensor; // (BT, C)
  readonly dk: Tensor; // (BT, C)
  readonly dv: Tensor; // (BT, C)
  /** (BT, I), only where a LoRA branch on output.dense keeps GELU's backward out of the dx matmul's epilogue. */
  readonly dF1a: Tensor | null;
  readonly dF1: Tensor; // (BT, I)
  /** (C) each: where a LayerNorm whose weight or bias is frozen puts that (unused) gradient. */
  readonly normSink: { readonly w: Tensor; readonly b: Tensor };
  readonly adapter: AdapterScratch | null;
  readonly loraDh: ReadonlyMap<number, Tensor>; // (BT, r) per rank in use (peft's rank_pattern may mix them)
  readonly loraDxd: Readonly<Record<'hidden' | 'intermediate', Tensor>> | null; // (BT, C), (BT, I)
  /** (BT, C), (BT, I): an (IA)³ site's gradient before its scale, by the width of the scaled side. */
  readonly scaleDx: Readonly<Record<'hidden' | 'intermediate', Tensor>> | null;
}

export interface LayerDims {
  readonly B: number;
  readonly T: number;
  readonly C: number;
  readonly H: number;
  readonly I: number;
  readonly P: number;
  readonly eps: number;
}

export interface LayerContext {
  readonly dims: LayerDims;
  readonly mask: Tensor; // (B, T) u32
  readonly seed: Tensor; // uniform: the step's dropout seed
  readonly streamBase: number; // distinct per (tower, layer)
  readonly hiddenDropout: number;
  readonly attentionDropout: number;
  readonly loraDropout: number;
  /** Quantize each linear layer's input as quantize_dynamic does (evaluation only); null: float inputs. */
  readonly quant: ActivationQuant | null;
}

export function siteOf(ctx: LayerContext, offset: number): DropoutSite {
  return { seed: ctx.seed, stream: ctx.streamBase + offset };
}
