/**
 * The model's parameters on the GPU. Frozen tensors get buffers of their own; every trainable tensor is a
 * view into one flat buffer laid out [decay segment | no-decay segment], each segment in layer order, each
 * tensor 64-float aligned (the storage-binding alignment). Gradients, AdamW's m and v mirror that buffer
 * one-to-one, so the gradient norm is one reduction, zeroing is one clear and AdamW is one dispatch per
 * segment (per layer range under LWO).
 *
 * With `frozenF16`, frozen linear weights (the six per-layer linears and the pooler's) are stored as packed
 * halves (dtype 'f16'), half the bytes; only matmul reads them, as its B operand, widening to f32. Embedding
 * tables stay f32 (the gather and its backward read them directly), and so do biases and LayerNorm
 * parameters (under 1 MiB for codebert-base). Trainable tensors are always f32: they live in the flat buffer.
 */
import type { Runtime } from '../gpu/runtime';
import type { DType, Tensor } from '../gpu/tensor';
import { firstOverflow, packHalves } from '../kernels/halves';
import { ConfigError } from '../peft/fields';
import type { EncoderConfig } from './config';
import { decays, LINEAR_SITES, linearPath, specNumel, type ParamSpec } from './params';
import type { PeftPlan } from '../peft/plan';

const ALIGN = 64;

export type Segment = 'decay' | 'nodecay';

export interface TrainableSlot {
  readonly spec: ParamSpec;
  readonly segment: Segment;
  /** Element offset of the tensor in the flat buffers. */
  readonly offset: number;
}

export interface FlatState {
  readonly params: Tensor; // (N) trainable values
  readonly grads: Tensor; // (N) their gradients, accumulated (+=) over a step
  readonly m: Tensor; // (N) AdamW first moment
  readonly v: Tensor; // (N) AdamW second moment
}

/** Element range [start, end) inside the flat buffers. */
export interface Range {
  readonly start: number;
  readonly end: number;
}

export interface WeightOptions {
  /** Store frozen linear weights as packed halves (default false). */
  readonly frozenF16?: boolean;
}

export class ModelWeights {
  private readonly values = new Map<string, Tensor>();
  private readonly grads = new Map<string, Tensor>();
  readonly slots: readonly TrainableSlot[];
  readonly flat: FlatState | null;
  readonly segments: Readonly<Record<Segment, Range>>;
  readonly frozenF16: boolean;

  constructor(
    private readonly rt: Runtime,
    readonly plan: PeftPlan,
    options: WeightOptions = {},
  ) {
    this.frozenF16 = options.frozenF16 ?? false;
    const layout = layoutTrainable(plan.trainable);
    this.slots = layout.slots;
    this.segments = layout.segments;
    this.flat = layout.total > 0 ? this.allocateFlat(layout.total) : null;
    for (const slot of this.slots) {
      const { name, shape } = slot.spec;
      this.values.set(name, rt.view(this.flat!.params, slot.offset, shape, name));
      this.grads.set(name, rt.view(this.flat!.grads, slot.offset, shape, `grad.${name}`));
    }
    const halves = this.frozenF16 ? linearWeightNames(plan.model) : new Set<string>();
    for (const spec of [...plan.base, ...plan.added]) {
      if (this.values.has(spec.name)) continue;
      const dtype: DType = halves.has(spec.name) ? 'f16' : 'f32';
      this.values.set(spec.name, rt.tensor(spec.shape, spec.name, dtype));
    }
  }

  private allocateFlat(total: number): FlatState {
    const t = (label: string): Tensor => this.rt.tensor([total], label);
    return { params: t('flat.params'), grads: t('flat.grads'), m: t('flat.m'), v: t('flat.v') };
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  /** The tensor holding a parameter's value (throws for names the model does not have: a bug). */
  get(name: string): Tensor {
    const t = this.values.get(name);
    if (!t) throw new Error(`model has no parameter "${name}"`);
    return t;
  }

  /** The parameter's gradient, or null when it is frozen (its backward is skipped). */
  grad(name: string): Tensor | null {
    return this.grads.get(name) ?? null;
  }

  isTrainable(name: string): boolean {
    return this.grads.has(name);
  }

  /** Uploads values by name (base weights, initial PEFT values, a resumed checkpoint); 'f16' ones are packed. */
  load(tensors: ReadonlyMap<string, Float32Array>): void {
    for (const [name, data] of tensors) {
      const t = this.get(name);
      const numel = t.shape.reduce((a, b) => a * b, 1);
      // A short array would leave part of the slot stale, a long one overrun the next tensor: never write either.
      if (data.length !== numel) throw new Error(`parameter "${name}" needs ${numel} values (shape ${t.shape.join('×')}), got ${data.length}`);
      this.rt.write(t, t.dtype === 'f16' ? packChecked(name, data) : data);
    }
  }

  /** Reads every trainable tensor back (one readback of the flat buffer), by name. */
  async readTrainable(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    if (!this.flat) return out;
    const [all] = await this.rt.run([], [this.flat.params]);
    for (const slot of this.slots) out.set(slot.spec.name, all!.slice(slot.offset, slot.offset + specNumel(slot.spec)));
    return out;
  }

  /** The element ranges of the given layers' trainable tensors, per segment (for LWO's partial updates). */
  rangesOf(include: (spec: ParamSpec) => boolean): Range[] {
    const ranges: Range[] = [];
    for (const slot of this.slots) {
      if (!include(slot.spec)) continue;
      const end = slot.offset + specNumel(slot.spec);
      const last = ranges[ranges.length - 1];
      // Contiguous neighbours (up to alignment padding) merge into one range.
      if (last && alignUp(last.end) === slot.offset) ranges[ranges.length - 1] = { start: last.start, end };
      else ranges.push({ start: slot.offset, end });
    }
    return ranges;
  }
}

function packChecked(name: string, data: Float32Array): Uint32Array {
  const i = firstOverflow(data);
  if (i >= 0) {
    throw new ConfigError('Keeping frozen weights in 16 bits', [
      `${name}[${i}] is ${data[i]}, beyond the 16-bit range (±65504): turn the option off (recipe frozenWeightsF16, CLI --frozen-f16) for this model`,
    ]);
  }
  return packHalves(data);
}

/** The (out, in) weights of every linear layer: the six sites of each encoder layer and the pooler's. */
function linearWeightNames(model: EncoderConfig): Set<string> {
  const names = new Set(['pooler.dense.weight']);
  for (let l = 0; l < model.layers; l++) for (const site of LINEAR_SITES) names.add(`${linearPath(l, site)}.weight`);
  return names;
}

export function alignUp(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

function layoutTrainable(trainable: readonly ParamSpec[]): {
  slots: TrainableSlot[];
  segments: Record<Segment, Range>;
  total: number;
} {
  const slots: TrainableSlot[] = [];
  let offset = 0;
  const place = (segment: Segment): Range => {
    const start = offset;
    for (const spec of trainable) {
      if ((decays(spec.name) ? 'decay' : 'nodecay') !== segment) continue;
      slots.push({ spec, segment, offset });
      offset = alignUp(offset + specNumel(spec));
    }
    return { start, end: offset };
  };
  const decay = place('decay');
  const nodecay = place('nodecay');
  return { slots, segments: { decay, nodecay }, total: offset };
}
