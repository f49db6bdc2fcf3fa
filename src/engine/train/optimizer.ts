/**
 * Gradient clipping and AdamW over the flat trainable buffers. The norm covers every gradient (frozen-this-
 * step tensors hold zeros); AdamW runs per segment — per layer range under LWO, so inactive layers are
 * skipped entirely (no decay, no moment update, no step count), exactly as PyTorch skips parameters whose
 * grad is None. Each range keeps its own step count for the bias corrections.
 */
import type { Runtime, StepCommand } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { adamw, adamwUniform, ADAMW_UNIFORM_WORDS } from '../kernels/adamw';
import { clipGradNorm } from '../kernels/clip_grad_norm';
import { gradNorm } from '../kernels/grad_norm';
import { reducePartials } from '../kernels/sum';
import type { ModelWeights, Range, Segment } from '../model/weights';

export interface AdamWSettings {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly maxGradNorm: number;
}

/** CodeXGLUE's AdamW (torch's defaults but eps 1e-8): the one place its betas and eps are written. */
export const ADAMW_DEFAULTS = { beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const;

/** The largest bound clip_grad_norm takes (the kernel's f32 range): clip_coef = min(1, …) stays 1. */
const NO_CLIP = 3.4e38;

export function adamwSettings(weightDecay: number, maxGradNorm: number): AdamWSettings {
  return { ...ADAMW_DEFAULTS, weightDecay, maxGradNorm };
}

/** A contiguous piece of the flat buffers updated by one AdamW dispatch. */
export interface UpdateRange {
  readonly key: string;
  readonly segment: Segment;
  readonly range: Range;
}

export class Optimizer {
  readonly norm: Tensor; // (2) [total_norm, clip_coef]
  private readonly partials: Tensor;
  private readonly uniforms = new Map<string, Tensor>();
  private readonly steps = new Map<string, number>();
  private readonly commands = new Map<string, StepCommand[]>();

  constructor(
    private readonly rt: Runtime,
    private readonly weights: ModelWeights,
    private readonly settings: AdamWSettings,
  ) {
    const n = weights.flat ? weights.flat.grads.shape[0]! : 1;
    this.partials = rt.tensor([reducePartials(n)], 'gradnorm.partials');
    this.norm = rt.tensor([2], 'gradnorm');
  }

  /** The norm + clip commands: the norm is taken (and returned) even without clipping. */
  clip(): StepCommand[] {
    const flat = this.weights.flat;
    if (!flat) return [];
    // Clipping off (0) is a bound no norm reaches; it must be a finite f32 (Number.MAX_VALUE is not one).
    const maxNorm = this.settings.maxGradNorm > 0 ? this.settings.maxGradNorm : NO_CLIP;
    return [gradNorm(this.rt, this.partials, flat.grads), clipGradNorm(this.rt, this.norm, this.partials, maxNorm)];
  }

  /** AdamW over the given ranges at learning rate `lr`; writes the ranges' hyperparameter uniforms. */
  update(ranges: readonly UpdateRange[], lr: number): StepCommand[] {
    const list: StepCommand[] = [];
    for (const r of ranges) {
      const step = (this.steps.get(r.key) ?? 0) + 1;
      this.steps.set(r.key, step);
      const hp = this.uniform(r.key);
      const weightDecay = r.segment === 'decay' ? this.settings.weightDecay : 0;
      this.rt.write(hp, adamwUniform({ lr, beta1: this.settings.beta1, beta2: this.settings.beta2, eps: this.settings.eps, weightDecay, step }));
      list.push(...this.dispatches(r, hp));
    }
    return list;
  }

  /** Per-range AdamW step counts (for checkpoints and the tests). */
  stepCount(key: string): number {
    return this.steps.get(key) ?? 0;
  }

  stepCounts(): Record<string, number> {
    return Object.fromEntries(this.steps);
  }

  /** A checkpoint's step counts, so the bias corrections continue where they were. */
  restoreStepCounts(counts: Readonly<Record<string, number>>): void {
    this.steps.clear();
    for (const [key, n] of Object.entries(counts)) this.steps.set(key, n);
  }

  private uniform(key: string): Tensor {
    let u = this.uniforms.get(key);
    if (!u) {
      u = this.rt.uniform(ADAMW_UNIFORM_WORDS, `adamw.${key}`);
      this.uniforms.set(key, u);
    }
    return u;
  }

  private dispatches(r: UpdateRange, hp: Tensor): StepCommand[] {
    let list = this.commands.get(r.key);
    if (!list) {
      const flat = this.weights.flat!;
      const n = r.range.end - r.range.start;
      const v = (t: Tensor, name: string): Tensor => this.rt.view(t, r.range.start, [n], `${name}.${r.key}`);
      list = [adamw(this.rt, v(flat.params, 'params'), v(flat.m, 'm'), v(flat.v, 'v'), v(flat.grads, 'grads'), this.norm, hp)];
      this.commands.set(r.key, list);
    }
    return list;
  }
}

/** The whole run's ranges: one per non-empty segment. */
export function segmentRanges(weights: ModelWeights): UpdateRange[] {
  return (['decay', 'nodecay'] as const)
    .filter((s) => weights.segments[s].end > weights.segments[s].start)
    .map((segment) => ({ key: segment, segment, range: weights.segments[segment] }));
}
