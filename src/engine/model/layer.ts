/**
 * One post-LN RoBERTa layer, forward and backward as dataflow listings (llm.c style):
 *   q,k,v = linear(x) [+LoRA]; ctx = attention(q, k, v, mask, prefix); ao = dense(ctx); [adapter]
 *   h1 = LN(x + dropout(ao)); f1a = gelu(dense(h1)); f2 = dense(f1a); [adapter]; out = LN(h1 + dropout(f2))
 * The backward is the same calls in reverse. `needInputGrad` false (the lowest trainable layer, nothing
 * below it trains) skips the gradient into x.
 */
import type { Runtime, StepCommand } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { activation } from '../kernels/activation';
import { activationBackward } from '../kernels/activation_backward';
import { add } from '../kernels/add';
import { attention } from '../kernels/attention';
import { attentionBackward } from '../kernels/attention_backward';
import { dropout } from '../kernels/dropout';
import { dynamicQuant } from '../kernels/dynamic_quant';
import { dropoutBackward } from '../kernels/dropout_backward';
import { layernorm } from '../kernels/layernorm';
import { layernormBackward } from '../kernels/layernorm_backward';
import type { MatmulEpilogueOption } from '../kernels/matmul';
import { adapterBackward, adapterForward } from './adapter_block';
import { linearBackward, linearForward, type LinearDims, type LoraBranch, type ScaleBranch } from './linear';
import { LINEAR_SITES, type LinearSite } from './params';
import { LAYER_SITE } from './rng_streams';
import { siteOf, type LayerActs, type LayerContext, type LayerWeights, type NormWeights, type TowerScratch } from './layer_types';


export function layerForward(rt: Runtime, a: LayerActs, x: Tensor, w: LayerWeights, c: LayerContext): StepCommand[] {
  const { B, T, C, H, I, P, eps } = c.dims;
  const rows = B * T;
  const lin = (out: Tensor, inp: Tensor, site: LinearSite, d: LinearDims, epilogue?: MatmulEpilogueOption): StepCommand[] => {
    const q = c.quant && (d.inDim === C ? c.quant.hidden : c.quant.inter);
    // quantize_dynamic's Linear: the input quantized to quint8 and back, then the (int8-weight) matmul.
    const pre = q ? dynamicQuant(rt, q.x, c.quant!.stats, q.partials, inp) : [];
    return [...pre, ...linearForward(rt, out, q ? q.x : inp, w.linear[site].w, w.linear[site].b, branch(a, w, c, site, null), d, epilogue, scaleOf(a, w, site, null))];
  };
  const cc = { rows, inDim: C, outDim: C };
  const list: StepCommand[] = [
    ...lin(a.q, x, 'query', cc),
    ...lin(a.k, x, 'key', cc),
    ...lin(a.v, x, 'value', cc),
    ...attention(rt, a.ctx, a.rowStats, a.q, a.k, a.v, c.mask, w.prefix && { pk: w.prefix.pk, pv: w.prefix.pv }, a.attnParams, { B, T, H, D: C / H, P, dropout: c.attentionDropout }),
    ...lin(a.ao, a.ctx, 'attention.output.dense', cc),
  ];
  // Without dropout (p = 0, or an inference pass over training buffers) the branch continues from ao itself.
  const y1 = c.hiddenDropout > 0 ? a.aoDrop : a.ao;
  if (c.hiddenDropout > 0) list.push(dropout(rt, a.aoDrop, a.ao, siteOf(c, LAYER_SITE.attnOut), c.hiddenDropout));
  if (w.attnAdapter && a.attnAdapter) list.push(...adapterForward(rt, a.attnAdapter, y1, w.attnAdapter, rows, C));
  list.push(add(rt, a.res1, x, a.attnAdapter?.out ?? y1), layernorm(rt, a.h1, a.mean1, a.rstd1, a.res1, w.ln1.w, w.ln1.b, rows, C, eps));
  // GELU rides on the FFN-up matmul's epilogue unless a LoRA branch or a scale must come in between.
  const up = { rows, inDim: C, outDim: I };
  if (hasBranch(w, 'intermediate.dense')) list.push(...lin(a.f1, a.h1, 'intermediate.dense', up), activation(rt, a.f1a, a.f1, 'gelu'));
  else list.push(...lin(a.f1a, a.h1, 'intermediate.dense', up, { kind: 'activation', act: 'gelu', aux: a.f1 }));
  list.push(...lin(a.f2, a.f1a, 'output.dense', { rows, inDim: I, outDim: C }));
  const y2 = c.hiddenDropout > 0 ? a.f2Drop : a.f2;
  if (c.hiddenDropout > 0) list.push(dropout(rt, a.f2Drop, a.f2, siteOf(c, LAYER_SITE.ffnOut), c.hiddenDropout));
  if (w.ffnAdapter && a.ffnAdapter) list.push(...adapterForward(rt, a.ffnAdapter, y2, w.ffnAdapter, rows, C));
  list.push(add(rt, a.res2, a.h1, a.ffnAdapter?.out ?? y2), layernorm(rt, a.out, a.mean2, a.rstd2, a.res2, w.ln2.w, w.ln2.b, rows, C, eps));
  return list;
}

/**
 * dOut (BT, C) is the gradient of the layer output; it ends in `dx` (the other residual buffer) as the
 * gradient of the layer input. Parameter gradients accumulate.
 */
export function layerBackward(
  rt: Runtime,
  dx: Tensor,
  dOut: Tensor,
  a: LayerActs,
  x: Tensor,
  w: LayerWeights,
  s: TowerScratch,
  c: LayerContext,
  needInputGrad: boolean,
): StepCommand[] {
  const { B, T, C, H, I, P } = c.dims;
  const rows = B * T;
  const list: StepCommand[] = [];
  const linBack = (dIn: Tensor | null, accumulate: boolean, dOutT: Tensor, inp: Tensor, site: LinearSite, d: LinearDims, dxEpilogue?: MatmulEpilogueOption) => {
    const lw = w.linear[site];
    return linearBackward(rt, { dx: dIn, accumulateDx: accumulate, dw: lw.dw, db: lw.db, dxEpilogue }, dOutT, inp, lw.w, branch(a, w, c, site, s), d, scaleOf(a, w, site, s));
  };
  // FFN block: out = LN2(h1 + z2); dRes2 is both d(h1)'s residual part and dz2.
  list.push(...normBackward(rt, s.dRes2, dOut, a.res2, w.ln2, a.mean2, a.rstd2, rows, C, s.normSink));
  const dF2 = branchBackward(rt, list, s.dRes2, a.f2Drop, a.ffnAdapter, w.ffnAdapter, s, c, LAYER_SITE.ffnOut, rows, C);
  // GELU's backward rides on the FFN-down dx matmul's epilogue unless a LoRA branch or a scale acts on dx after it.
  const down = { rows, inDim: I, outDim: C };
  if (hasBranch(w, 'output.dense') && s.dF1a) list.push(...linBack(s.dF1a, false, dF2, a.f1a, 'output.dense', down), activationBackward(rt, s.dF1, s.dF1a, a.f1, 'gelu'));
  else list.push(...linBack(s.dF1, false, dF2, a.f1a, 'output.dense', down, { kind: 'activation-backward', act: 'gelu', aux: a.f1 }));
  list.push(...linBack(s.dRes2, true, s.dF1, a.h1, 'intermediate.dense', { rows, inDim: C, outDim: I }));
  // Attention block: h1 = LN1(x + z1); dx starts as d(res1), the residual part of the input gradient.
  list.push(...normBackward(rt, dx, s.dRes2, a.res1, w.ln1, a.mean1, a.rstd1, rows, C, s.normSink));
  const dAo = branchBackward(rt, list, dx, a.aoDrop, a.attnAdapter, w.attnAdapter, s, c, LAYER_SITE.attnOut, rows, C);
  const cc = { rows, inDim: C, outDim: C };
  list.push(...linBack(s.dCtx, false, dAo, a.ctx, 'attention.output.dense', cc));
  const prefix = w.prefix && { pk: w.prefix.pk, pv: w.prefix.pv };
  const dims = { B, T, H, D: C / H, P, dropout: c.attentionDropout };
  list.push(...attentionBackward(rt, s.dq, s.dk, s.dv, w.prefix?.dpk ?? null, w.prefix?.dpv ?? null, s.dCtx, a.q, a.k, a.v, a.rowStats, c.mask, prefix, a.attnParams, dims));
  const dIn = needInputGrad ? dx : null;
  list.push(...linBack(dIn, true, s.dq, x, 'query', cc), ...linBack(dIn, true, s.dk, x, 'key', cc), ...linBack(dIn, true, s.dv, x, 'value', cc));
  return list;
}

/**
 * Backward through [adapter] and dropout of a sublayer branch whose output gradient is dz; returns the
 * tensor holding the gradient of the dense output (before dropout).
 */
function branchBackward(
  rt: Runtime,
  list: StepCommand[],
  dz: Tensor,
  y: Tensor,
  acts: LayerActs['attnAdapter'],
  weights: LayerWeights['attnAdapter'],
  s: TowerScratch,
  c: LayerContext,
  stream: number,
  rows: number,
  C: number,
): Tensor {
  let dy = dz;
  if (acts && weights && s.adapter) {
    list.push(...adapterBackward(rt, s.dBranch, dz, y, acts, weights, s.adapter, rows, C));
    dy = s.dBranch;
  }
  if (c.hiddenDropout === 0) return dy;
  list.push(dropoutBackward(rt, s.dDense, dy, siteOf(c, stream), c.hiddenDropout));
  return s.dDense;
}

/**
 * LayerNorm backward. A fully frozen LayerNorm skips the parameter pass; a half-frozen one (BitFit trains the
 * bias, not the weight) sends the frozen half's gradient to a sink.
 */
function normBackward(rt: Runtime, dinp: Tensor, dout: Tensor, inp: Tensor, n: NormWeights, mean: Tensor, rstd: Tensor, rows: number, C: number, sink: TowerScratch['normSink']): StepCommand[] {
  const params = n.dw !== null || n.db !== null;
  return layernormBackward(rt, dinp, n.dw ?? sink.w, n.db ?? sink.b, dout, inp, n.w, mean, rstd, rows, C, { params });
}

/**
 * The LoRA branch of a linear site, if it has one. The forward passes no scratch (`s` null): the
 * backward-only fields (dh, dxd) then point at tensors the forward never reads through them.
 */
function branch(a: LayerActs, w: LayerWeights, c: LayerContext, site: LinearSite, s: TowerScratch | null): LoraBranch | null {
  const lora = w.linear[site].lora;
  const h = a.loraH[site];
  if (!lora || !h) return null;
  const xd = a.loraXd[site];
  const dxd = s?.loraDxd?.[site === 'output.dense' ? 'intermediate' : 'hidden'];
  return {
    ...lora,
    h,
    dh: s?.loraDh.get(lora.rank) ?? h,
    dropout: xd && c.loraDropout > 0 ? { site: siteOf(c, LAYER_SITE.loraBase + LINEAR_SITES.indexOf(site)), p: c.loraDropout, xd, dxd: dxd ?? xd } : null,
  };
}

/** Whether something sits between a linear's matmul and what follows it (so no epilogue can be fused). */
function hasBranch(w: LayerWeights, site: LinearSite): boolean {
  return w.linear[site].lora !== null || w.linear[site].scale !== null;
}

/**
 * The (IA)³ scale of a linear site, if it has one. The forward passes no scratch (`s` null): the backward-only
 * scratch then points at the saved tensor, which the forward never reads through it.
 */
function scaleOf(a: LayerActs, w: LayerWeights, site: LinearSite, s: TowerScratch | null): ScaleBranch | null {
  const scale = w.linear[site].scale;
  const saved = a.scaleSaved[site];
  if (!scale || !saved) return null;
  // The scaled side is I wide for output.dense's input and intermediate.dense's output, C wide elsewhere.
  const wide = scale.side === 'input' ? site === 'output.dense' : site === 'intermediate.dense';
  return { ...scale, saved, scratch: s?.scaleDx?.[wide ? 'intermediate' : 'hidden'] ?? saved };
}
