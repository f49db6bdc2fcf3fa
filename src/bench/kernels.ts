/**
 * Per-kernel cases at the shapes a training step runs: the three linear shapes of a RoBERTa layer (q/k/v and
 * attention output, FFN up, FFN down) in their forward, input-gradient and weight-gradient forms, attention
 * forward/backward, LayerNorm, GELU, dropout, the LoRA branch, AdamW over every base parameter and the
 * embedding gather. Inputs are seeded random values (ids and masks valid), so no kernel takes a zero shortcut.
 *
 * A case's `bytes` counts each bound operand once (reads + writes): the traffic a kernel needs at least, which
 * is what GB/s figures divide by.
 */
import type { Dispatch, Runtime } from '../engine/gpu/runtime';
import type { Tensor } from '../engine/gpu/tensor';
import { activation } from '../engine/kernels/activation';
import { activationBackward } from '../engine/kernels/activation_backward';
import { adamw, adamwUniform } from '../engine/kernels/adamw';
import { attention, ROW_STATS } from '../engine/kernels/attention';
import { attentionBackward } from '../engine/kernels/attention_backward';
import { dropout } from '../engine/kernels/dropout';
import { embedding } from '../engine/kernels/embedding';
import { layernorm } from '../engine/kernels/layernorm';
import { layernormBackward } from '../engine/kernels/layernorm_backward';
import { loraBackward, loraForward } from '../engine/kernels/lora';
import { matmul } from '../engine/kernels/matmul';
import type { EncoderConfig } from '../engine/model/config';
import { baseParams, countParams } from '../engine/model/params';

/** The shapes the cases use: the model's widths at the recipe's code-side batch (rows = B·T). */
export interface KernelDims {
  readonly B: number;
  readonly T: number;
  readonly C: number;
  readonly I: number;
  readonly H: number;
  readonly rank: number;
  readonly vocab: number;
  readonly positions: number;
  /** Parameters AdamW updates (every base weight: full fine-tuning). */
  readonly params: number;
  readonly dropout: number;
}

export function kernelDims(model: EncoderConfig, B: number, T: number, rank: number, dropoutP: number): KernelDims {
  return { B, T, C: model.hidden, I: model.intermediate, H: model.heads, rank, vocab: model.vocabSize, positions: model.maxPositions, params: countParams(baseParams(model)), dropout: dropoutP };
}

export interface BuiltCase {
  readonly list: Dispatch[];
  readonly bytes: number;
  readonly tensors: Tensor[];
}

export interface KernelCase {
  /** Stable id shared with tools/bench_pytorch.py: op and shape (matmuls as M×N×K). */
  readonly id: string;
  readonly label: string;
  readonly build: (rt: Runtime) => BuiltCase;
}

/** Allocates case tensors with seeded contents and tallies their bytes. */
class CaseTensors {
  readonly tensors: Tensor[] = [];
  bytes = 0;
  private state = 0x9e3779b9;
  constructor(private readonly rt: Runtime) {}

  f32(shape: number[], label: string, fill: 'random' | 'ones' = 'random'): Tensor {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (fill === 'ones') data.fill(1);
    else for (let i = 0; i < n; i++) data[i] = this.next() * 0.1 - 0.05;
    return this.keep(this.rt.tensorFrom(data, shape, label));
  }

  /** u32 values in [0, below): token ids, positions, or (below = 2 → ones) masks. */
  u32(shape: number[], label: string, below: number, ones = false): Tensor {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Uint32Array(n);
    for (let i = 0; i < n; i++) data[i] = ones ? 1 : Math.floor(this.next() * below);
    return this.keep(this.rt.tensorFrom(data, shape, label));
  }

  uniform(words: Uint32Array | Float32Array, label: string): Tensor {
    const t = this.rt.uniform(words.length, label);
    this.rt.write(t, words);
    this.tensors.push(t);
    return t;
  }

  done(list: Dispatch[]): BuiltCase {
    return { list, bytes: this.bytes, tensors: this.tensors };
  }

  private keep(t: Tensor): Tensor {
    this.tensors.push(t);
    this.bytes += t.shape.reduce((a, b) => a * b, 1) * 4;
    return t;
  }

  private next(): number {
    this.state ^= this.state << 13;
    this.state ^= this.state >>> 17;
    this.state ^= this.state << 5;
    return (this.state >>> 0) / 4294967296;
  }
}

function linearCases(d: KernelDims): KernelCase[] {
  const rows = d.B * d.T;
  const sites: [string, number, number][] = [
    ['q/k/v, attention output', d.C, d.C],
    ['FFN up', d.C, d.I],
    ['FFN down', d.I, d.C],
  ];
  return sites.flatMap(([site, inDim, outDim]): KernelCase[] => [
    {
      id: `linear_fwd:${rows}x${outDim}x${inDim}`,
      label: `${site}: y = x·Wᵀ + b`,
      build: (rt) => {
        const t = new CaseTensors(rt);
        const [y, x, w, b] = [t.f32([rows, outDim], 'y'), t.f32([rows, inDim], 'x'), t.f32([outDim, inDim], 'w'), t.f32([outDim], 'b')];
        return t.done([matmul(rt, y, x, w, b, { M: rows, N: outDim, K: inDim, transB: true })]);
      },
    },
    {
      id: `linear_dx:${rows}x${inDim}x${outDim}`,
      label: `${site}: dx = dy·W`,
      build: (rt) => {
        const t = new CaseTensors(rt);
        const [dx, dy, w] = [t.f32([rows, inDim], 'dx'), t.f32([rows, outDim], 'dy'), t.f32([outDim, inDim], 'w')];
        return t.done([matmul(rt, dx, dy, w, null, { M: rows, N: inDim, K: outDim })]);
      },
    },
    {
      id: `linear_dw:${outDim}x${inDim}x${rows}`,
      label: `${site}: dW += dyᵀ·x`,
      build: (rt) => {
        const t = new CaseTensors(rt);
        const [dw, dy, x] = [t.f32([outDim, inDim], 'dw'), t.f32([rows, outDim], 'dy'), t.f32([rows, inDim], 'x')];
        return t.done([matmul(rt, dw, dy, x, null, { M: outDim, N: inDim, K: rows, transA: true, accumulate: true })]);
      },
    },
  ]);
}

function attentionCases(d: KernelDims): KernelCase[] {
  const { B, T, H, C } = d;
  const rows = B * T;
  const dims = { B, T, H, D: C / H, P: 0, dropout: d.dropout };
  const inputs = (t: CaseTensors) => ({
    q: t.f32([rows, C], 'q'),
    k: t.f32([rows, C], 'k'),
    v: t.f32([rows, C], 'v'),
    rowStats: t.f32([B, H, T, ROW_STATS], 'rowStats'),
    mask: t.u32([B, T], 'mask', 2, true),
    params: t.uniform(Uint32Array.of(1234, 0, 0, 0), 'seed'),
  });
  const shape = `${B}x${H}x${T}x${C / H}`;
  return [
    {
      id: `attention_fwd:${shape}`,
      label: `attention forward (dropout ${d.dropout})`,
      build: (rt) => {
        const t = new CaseTensors(rt);
        const a = inputs(t);
        return t.done(attention(rt, t.f32([rows, C], 'ctx'), a.rowStats, a.q, a.k, a.v, a.mask, null, a.params, dims));
      },
    },
    {
      id: `attention_bwd:${shape}`,
      label: 'attention backward (dq, dk, dv)',
      build: (rt) => {
        const t = new CaseTensors(rt);
        const a = inputs(t);
        const [dq, dk, dv, dout] = [t.f32([rows, C], 'dq'), t.f32([rows, C], 'dk'), t.f32([rows, C], 'dv'), t.f32([rows, C], 'dout')];
        return t.done(attentionBackward(rt, dq, dk, dv, null, null, dout, a.q, a.k, a.v, a.rowStats, a.mask, null, a.params, dims));
      },
    },
  ];
}

function elementwiseCases(d: KernelDims): KernelCase[] {
  const rows = d.B * d.T;
  const { C, I } = d;
  return [
    {
      id: `layernorm_fwd:${rows}x${C}`,
      label: 'LayerNorm forward',
      build: (rt) => {
        const t = new CaseTensors(rt);
        return t.done([layernorm(rt, t.f32([rows, C], 'out'), t.f32([rows], 'mean'), t.f32([rows], 'rstd'), t.f32([rows, C], 'x'), t.f32([C], 'w', 'ones'), t.f32([C], 'b'), rows, C)]);
      },
    },
    {
      id: `layernorm_bwd:${rows}x${C}`,
      label: 'LayerNorm backward (dx, dw, db)',
      build: (rt) => {
        const t = new CaseTensors(rt);
        const [dx, dw, db, dy, x, w] = [t.f32([rows, C], 'dx'), t.f32([C], 'dw'), t.f32([C], 'db'), t.f32([rows, C], 'dy'), t.f32([rows, C], 'x'), t.f32([C], 'w', 'ones')];
        return t.done(layernormBackward(rt, dx, dw, db, dy, x, w, t.f32([rows], 'mean'), t.f32([rows], 'rstd', 'ones'), rows, C));
      },
    },
    {
      id: `gelu_fwd:${rows}x${I}`,
      label: 'GELU forward',
      build: (rt) => {
        const t = new CaseTensors(rt);
        return t.done([activation(rt, t.f32([rows, I], 'out'), t.f32([rows, I], 'x'), 'gelu')]);
      },
    },
    {
      id: `gelu_bwd:${rows}x${I}`,
      label: 'GELU backward',
      build: (rt) => {
        const t = new CaseTensors(rt);
        return t.done([activationBackward(rt, t.f32([rows, I], 'dx'), t.f32([rows, I], 'dy'), t.f32([rows, I], 'x'), 'gelu')]);
      },
    },
    {
      id: `dropout_fwd:${rows}x${C}`,
      label: `dropout forward (p ${d.dropout})`,
      build: (rt) => {
        const t = new CaseTensors(rt);
        const seed = t.uniform(Uint32Array.of(99, 0, 0, 0), 'seed');
        return t.done([dropout(rt, t.f32([rows, C], 'out'), t.f32([rows, C], 'x'), { seed, stream: 1 }, Math.max(d.dropout, 0.1))]);
      },
    },
  ];
}

function peftAndOptimizerCases(d: KernelDims): KernelCase[] {
  const rows = d.B * d.T;
  const { C, rank: r } = d;
  const loraDims = { rows, inDim: C, outDim: C, rank: r, scale: 2 };
  return [
    {
      id: `lora_fwd:${rows}x${C}x${r}`,
      label: `LoRA branch forward (r ${r})`,
      build: (rt) => {
        const t = new CaseTensors(rt);
        return t.done(loraForward(rt, t.f32([rows, C], 'y'), t.f32([rows, r], 'h'), t.f32([rows, C], 'x'), t.f32([r, C], 'a'), t.f32([C, r], 'b'), loraDims));
      },
    },
    {
      id: `lora_bwd:${rows}x${C}x${r}`,
      label: `LoRA branch backward (r ${r})`,
      build: (rt) => {
        const t = new CaseTensors(rt);
        const [dx, da, db, dh, dy, x, h, a, b] = [t.f32([rows, C], 'dx'), t.f32([r, C], 'da'), t.f32([C, r], 'db'), t.f32([rows, r], 'dh'), t.f32([rows, C], 'dy'), t.f32([rows, C], 'x'), t.f32([rows, r], 'h'), t.f32([r, C], 'a'), t.f32([C, r], 'b')];
        return t.done(loraBackward(rt, dx, da, db, dh, dy, x, h, a, b, loraDims));
      },
    },
    {
      id: `adamw:${d.params}`,
      label: 'AdamW over every base parameter',
      build: (rt) => {
        const t = new CaseTensors(rt);
        const n = d.params;
        const [p, m, v, g] = [t.f32([n], 'params'), t.f32([n], 'm'), t.f32([n], 'v', 'ones'), t.f32([n], 'grads')];
        const norm = t.f32([2], 'norm', 'ones');
        const hp = t.uniform(adamwUniform({ lr: 1e-5, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, step: 1 }), 'hp');
        return t.done([adamw(rt, p, m, v, g, norm, hp)]);
      },
    },
    {
      id: `embedding_fwd:${rows}x${C}`,
      label: 'embedding gather (word + position + type)',
      build: (rt) => {
        const t = new CaseTensors(rt);
        const [ids, pos, tt] = [t.u32([rows], 'ids', d.vocab), t.u32([rows], 'pos', d.positions), t.u32([rows], 'tt', 1)];
        return t.done([embedding(rt, t.f32([rows, C], 'out'), ids, pos, tt, t.f32([d.vocab, C], 'wte'), t.f32([d.positions, C], 'wpe'), t.f32([1, C], 'wtt'), rows, C)]);
      },
    },
  ];
}

export function kernelCases(d: KernelDims): KernelCase[] {
  return [...linearCases(d), ...attentionCases(d), ...elementwiseCases(d), ...peftAndOptimizerCases(d)];
}
