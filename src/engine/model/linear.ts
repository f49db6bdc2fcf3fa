/**
 * A linear layer y = x·Wᵀ + b (W stored (out, in) as PyTorch does) with an optional LoRA branch or (IA)³
 * channel scale, forward and backward as dispatch lists. Frozen weights get no weight-gradient work; a null dx
 * skips the input gradient (nothing below needs it).
 */
import type { Dispatch, Runtime } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { biasBackward } from '../kernels/bias_backward';
import { channelScale } from '../kernels/channel_scale';
import { channelScaleBackward } from '../kernels/channel_scale_backward';
import { dropout, type DropoutSite } from '../kernels/dropout';
import { dropoutBackward } from '../kernels/dropout_backward';
import { loraBackward, loraForward } from '../kernels/lora';
import { matmul, type MatmulEpilogueOption } from '../kernels/matmul';

export interface LoraBranch {
  readonly a: Tensor; // (r, in)
  readonly b: Tensor; // (out, r)
  readonly da: Tensor; // (r, in) gradient, +=
  readonly db: Tensor; // (out, r) gradient, +=
  readonly h: Tensor; // (rows, r) x·Aᵀ, saved for backward
  readonly dh: Tensor; // (rows, r) scratch
  readonly rank: number;
  readonly scale: number;
  /** lora_dropout on the branch's input: xd (rows, in) saved, dxd (rows, in) scratch. */
  readonly dropout: { readonly site: DropoutSite; readonly p: number; readonly xd: Tensor; readonly dxd: Tensor } | null;
}

/**
 * A learned per-channel scale l ((IA)³): of the input, y = (x ⊙ l)·Wᵀ + b, or of the output, y = (x·Wᵀ + b) ⊙ l.
 * `saved` (forward) holds x ⊙ l (rows, in) or the unscaled output (rows, out); `scratch` (backward) the gradient
 * before the scale, of the same shape.
 */
export interface ScaleBranch {
  readonly l: Tensor; // (in) or (out)
  readonly dl: Tensor; // += its gradient
  readonly side: 'input' | 'output';
  readonly saved: Tensor;
  readonly scratch: Tensor;
}

export interface LinearDims {
  readonly rows: number;
  readonly inDim: number;
  readonly outDim: number;
}

/**
 * out (rows, out) = x·Wᵀ + b [+ scale·(dropout(x)·Aᵀ)·Bᵀ]. An epilogue (activation forward: out = act(y), aux = y)
 * is fused into the matmul, so it needs a site without a LoRA branch (whose sum lands after the matmul).
 */
export function linearForward(rt: Runtime, out: Tensor, x: Tensor, w: Tensor, b: Tensor, lora: LoraBranch | null, d: LinearDims, epilogue?: MatmulEpilogueOption, scale: ScaleBranch | null = null): Dispatch[] {
  if (epilogue && (lora || scale)) throw new Error('linearForward: a fused epilogue cannot follow a LoRA branch or a channel scale');
  if (scale) return scaledForward(rt, out, x, w, b, scale, d);
  const list = [matmul(rt, out, x, w, b, { M: d.rows, N: d.outDim, K: d.inDim, transB: true }, { epilogue })];
  if (!lora) return list;
  const xl = lora.dropout ? lora.dropout.xd : x;
  if (lora.dropout) list.push(dropout(rt, lora.dropout.xd, x, lora.dropout.site, lora.dropout.p));
  list.push(...loraForward(rt, out, lora.h, xl, lora.a, lora.b, loraDims(lora, d)));
  return list;
}

/** (IA)³: scale the input before the matmul, or the matmul's output (kept unscaled for the backward). */
function scaledForward(rt: Runtime, out: Tensor, x: Tensor, w: Tensor, b: Tensor, s: ScaleBranch, d: LinearDims): Dispatch[] {
  const dims = { M: d.rows, N: d.outDim, K: d.inDim, transB: true };
  if (s.side === 'input') return [channelScale(rt, s.saved, x, s.l, d.rows, d.inDim), matmul(rt, out, s.saved, w, b, dims)];
  return [matmul(rt, s.saved, x, w, b, dims), channelScale(rt, out, s.saved, s.l, d.rows, d.outDim)];
}

export interface LinearGrads {
  /** Input gradient (rows, in), or null to skip it. */
  readonly dx: Tensor | null;
  /** Whether dx already holds a gradient to add to (the residual stream) or is written fresh. */
  readonly accumulateDx: boolean;
  readonly dw: Tensor | null; // (out, in), +=
  readonly db: Tensor | null; // (out), +=
  /** Fused into the dx matmul (activation backward: dx = (dout·W) ⊙ act'(aux)); needs no LoRA branch. */
  readonly dxEpilogue?: MatmulEpilogueOption;
}

/** Gradients of linearForward given dout (rows, out). */
export function linearBackward(rt: Runtime, g: LinearGrads, dout: Tensor, x: Tensor, w: Tensor, lora: LoraBranch | null, d: LinearDims, scale: ScaleBranch | null = null): Dispatch[] {
  if (g.dxEpilogue && (lora || scale || g.accumulateDx)) throw new Error('linearBackward: a fused dx epilogue needs a fresh dx, no LoRA branch and no channel scale');
  if (scale) return scaledBackward(rt, g, dout, x, w, scale, d);
  const list: Dispatch[] = [];
  if (g.dw) list.push(matmul(rt, g.dw, dout, x, null, { M: d.outDim, N: d.inDim, K: d.rows, transA: true, accumulate: true }));
  if (g.db) list.push(biasBackward(rt, g.db, dout, d.rows, d.outDim, true));
  if (g.dx) list.push(matmul(rt, g.dx, dout, w, null, { M: d.rows, N: d.inDim, K: d.outDim, accumulate: g.accumulateDx }, { epilogue: g.dxEpilogue }));
  if (!lora) return list;
  const drop = lora.dropout;
  // Through dropout the branch's input gradient goes to a scratch first, then through the mask into dx.
  const dxBranch = g.dx && drop ? drop.dxd : g.dx;
  list.push(...loraBackward(rt, dxBranch, lora.da, lora.db, lora.dh, dout, drop ? drop.xd : x, lora.h, lora.a, lora.b, loraDims(lora, d), !drop));
  if (g.dx && drop) list.push(dropoutBackward(rt, g.dx, drop.dxd, drop.site, drop.p, { accumulate: true }));
  return list;
}

/**
 * (IA)³ backward. Output scale: dl += Σ dout ⊙ y₀, then the plain linear backward of dy₀ = dout ⊙ l. Input
 * scale: dW from the scaled input; dxs = dout·W is needed for dl += Σ dxs ⊙ x even when dx is not, then
 * dx (+)= dxs ⊙ l.
 */
function scaledBackward(rt: Runtime, g: LinearGrads, dout: Tensor, x: Tensor, w: Tensor, s: ScaleBranch, d: LinearDims): Dispatch[] {
  if (s.side === 'output') {
    return [channelScaleBackward(rt, s.dl, dout, s.saved, d.rows, d.outDim), channelScale(rt, s.scratch, dout, s.l, d.rows, d.outDim), ...linearBackward(rt, g, s.scratch, x, w, null, d)];
  }
  const list = linearBackward(rt, { ...g, dx: null }, dout, s.saved, w, null, d);
  list.push(matmul(rt, s.scratch, dout, w, null, { M: d.rows, N: d.inDim, K: d.outDim }), channelScaleBackward(rt, s.dl, s.scratch, x, d.rows, d.inDim));
  if (g.dx) list.push(channelScale(rt, g.dx, s.scratch, s.l, d.rows, d.inDim, g.accumulateDx));
  return list;
}

function loraDims(lora: LoraBranch, d: LinearDims) {
  return { rows: d.rows, inDim: d.inDim, outDim: d.outDim, rank: lora.rank, scale: lora.scale };
}
