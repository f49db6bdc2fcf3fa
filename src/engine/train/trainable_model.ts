/**
 * A model set up for a run: weights on the GPU, the towers over the shared encoder, the objective and the
 * optimizer. Code search (plan.classes null): a code tower and a query tower and the contrastive objective.
 * Classification: one tower pooled at <s>, the classification head and the class cross-entropy. One step is one
 * command encoder: clear grads → [prefix MLP] → forward(s) → loss → loss backward → backward(s) → [prefix MLP
 * backward] → grad norm + clip → AdamW; the loss and the norm are read back.
 */
import { ConfigError } from '../peft/fields';
import { clear, type Runtime, type StepCommand } from '../gpu/runtime';
import type { EncoderConfig } from '../model/config';
import { bindWeights, plainPrefix, type EncoderWeights, type PrefixSource } from '../model/bind_weights';
import type { Tensor } from '../gpu/tensor';
import { EncoderTower } from '../model/encoder';
import { ClassifierHead } from '../model/classifier';
import type { HeadConfig } from '../model/head';
import { PrefixMlp } from '../model/prefix_mlp';
import { stepSeed, towerSeed } from '../model/rng_streams';
import { decays, type ParamSpec } from '../model/params';
import { ModelWeights } from '../model/weights';
import { branchDropout, prefixLength, prefixShape, scheduledLayers } from '../peft/attach';
import type { PeftPlan } from '../peft/plan';
import type { PeftConfig } from '../peft/types';
import { mask } from '../kernels/mask';
import type { PruningMasks } from '../prune/masks';
import { ClassificationObjective } from './classification_objective';
import { ContrastiveObjective } from './objective';
import { Optimizer, segmentRanges, type AdamWSettings, type UpdateRange } from './optimizer';
import type { TrainState } from './train_state';

export interface RecipeShape {
  readonly batchSize: number;
  readonly codeLength: number;
  readonly nlLength: number;
  readonly head: HeadConfig;
  /** Multiplies the scores (UniXcoder uses 20 with normalized embeddings; CodeXGLUE 1). */
  readonly scale: number;
  readonly hiddenDropout: number;
  readonly attentionDropout: number;
  /** Keep frozen linear weights in 16 bits on the GPU (packed halves; default false). See ModelWeights. */
  readonly frozenWeightsF16?: boolean;
  /** A classification run's per-class loss weights (null or absent: the plain mean). */
  readonly classWeights?: Float64Array | null;
  /** Evaluation towers quantize each linear input as quantize_dynamic does (kernels/dynamic_quant). */
  readonly quantizeActivations?: boolean;
}

export interface StepResult {
  readonly loss: number;
  readonly gradNorm: number;
  readonly clipCoef: number;
}

/** Code search's two training towers and the objective: allocated on the first step (evaluation alone needs none). */
interface TrainingGraph {
  readonly code: EncoderTower;
  readonly nl: EncoderTower;
  readonly objective: ContrastiveObjective;
}

/** Classification's training tower, head and objective, allocated on the first step. */
interface ClassifyGraph {
  readonly tower: EncoderTower;
  readonly head: ClassifierHead;
  readonly objective: ClassificationObjective;
}

/** A tower and the classification head over it, to evaluate with. */
export interface Classifier {
  readonly tower: EncoderTower;
  readonly head: ClassifierHead;
}

export class TrainableModel {
  readonly plan: PeftPlan;
  readonly weights: ModelWeights;
  /** The forward binding of every parameter (gradients included; a layer schedule binds narrower sets per phase). */
  readonly encoder: EncoderWeights;
  private graph: TrainingGraph | null = null;
  private classifyGraph: ClassifyGraph | null = null;
  private optimizerOnce: Optimizer | null = null;
  private readonly evalTowers = new Map<string, EncoderTower>();
  private readonly evalHeads = new Map<number, ClassifierHead>();
  private readonly prefixMlp: PrefixMlp | null;
  private readonly prefixSource: PrefixSource;
  /** The step's commands before AdamW, per set of layers a schedule (LWO) trains ('all' otherwise); built once each. */
  private readonly passes = new Map<string, StepCommand[]>();
  /** 1 / 0 per flat trainable value when pruned weights train (prune()); their gradients are masked each step. */
  private gradMask: Tensor | null = null;

  readonly model: EncoderConfig;
  readonly peft: PeftConfig;

  /** Built through buildModel (build_model.ts) from a plan made once per run. */
  constructor(
    private readonly rt: Runtime,
    plan: PeftPlan,
    readonly shape: RecipeShape,
    /** Null for a model that only evaluates: it allocates no optimizer state and refuses to train. */
    private readonly adam: AdamWSettings | null,
    private readonly seed: number,
  ) {
    this.plan = plan;
    this.model = plan.model;
    this.peft = plan.peft;
    const { model, peft } = plan;
    checkPositions(model, peft, Math.max(shape.codeLength, shape.nlLength));
    this.weights = new ModelWeights(rt, this.plan, { frozenF16: shape.frozenWeightsF16 ?? false });
    const prefix = prefixShape(peft);
    this.prefixMlp = prefix?.mlpHidden ? new PrefixMlp(rt, this.weights, prefix.length, prefix.mlpHidden) : null;
    this.prefixSource = this.prefixMlp ? this.prefixMlp.source() : plainPrefix(this.weights);
    this.encoder = bindWeights(this.weights, this.prefixSource);
  }

  private requireAdam(): AdamWSettings {
    if (!this.adam) throw new Error('this model was built for evaluation only: build it with AdamW settings to train it');
    return this.adam;
  }

  private get prefixRows(): number {
    return prefixLength(this.peft);
  }

  private get trainingOptions(): { hiddenDropout: number; attentionDropout: number; loraDropout: number } {
    return { hiddenDropout: this.shape.hiddenDropout, attentionDropout: this.shape.attentionDropout, loraDropout: branchDropout(this.peft) };
  }

  /** Code search's training towers and objective, allocated on first use. */
  get training(): TrainingGraph {
    if (this.plan.classes !== null) throw new Error('a classification model has no code and query towers');
    if (!this.graph) {
      const { rt, model, shape } = this;
      const P = this.prefixRows;
      const B = shape.batchSize;
      this.graph = {
        code: new EncoderTower(rt, model, this.encoder, { B, T: shape.codeLength, P }, this.trainingOptions, shape.head, 0, 'code', this.plan.lowestTrainableLayer),
        nl: new EncoderTower(rt, model, this.encoder, { B, T: shape.nlLength, P }, this.trainingOptions, shape.head, 1, 'nl', this.plan.lowestTrainableLayer),
        objective: new ContrastiveObjective(rt, B, model.hidden, shape.scale),
      };
    }
    return this.graph;
  }

  /** Classification's training tower (code side, pooled at <s>), head and objective, allocated on first use. */
  get classification(): ClassifyGraph {
    const K = this.plan.classes;
    if (K === null) throw new Error('a code-search model has no classification head');
    if (!this.classifyGraph) {
      const { rt, model, shape } = this;
      const B = shape.batchSize;
      const tower = new EncoderTower(rt, model, this.encoder, { B, T: shape.codeLength, P: this.prefixRows }, this.trainingOptions, CLS_HEAD, 0, 'cls', this.plan.lowestTrainableLayer);
      const drop = { p: shape.hiddenDropout, seed: tower.seed, tower: 0, layers: model.layers };
      this.classifyGraph = {
        tower,
        head: new ClassifierHead(rt, this.weights, tower.head.vec, B, model.hidden, K, drop, 'train'),
        objective: new ClassificationObjective(rt, B, shape.classWeights ?? null),
      };
    }
    return this.classifyGraph;
  }

  private get optimizer(): Optimizer {
    this.optimizerOnce ??= new Optimizer(this.rt, this.weights, this.requireAdam());
    return this.optimizerOnce;
  }

  /**
   * The classification head over a tower to evaluate with: the training one at the training batch size (its
   * inference listings have no dropout), else a forward-only one per batch size.
   */
  classifier(batch: number): Classifier {
    const K = this.plan.classes;
    if (K === null) throw new Error('a code-search model has no classification head');
    if (this.classifyGraph && batch === this.shape.batchSize) return this.classifyGraph;
    const tower = this.evalTower('code', batch);
    let head = this.evalHeads.get(batch);
    if (!head) {
      head = new ClassifierHead(this.rt, this.weights, tower.head.vec, batch, this.model.hidden, K, null, `eval.${batch}`);
      this.evalHeads.set(batch, head);
    }
    return { tower, head };
  }

  /**
   * A tower to evaluate with (its `inference()` listing has no dropout): during training, at the training
   * batch size, the training tower itself, so evaluation costs no activation memory; otherwise a forward-only
   * tower, cached per (side, batch).
   */
  evalTower(side: 'code' | 'nl', batch: number): EncoderTower {
    if (this.graph && batch === this.shape.batchSize) return this.graph[side];
    const key = `${side}:${batch}`;
    let tower = this.evalTowers.get(key);
    if (!tower) {
      const T = side === 'code' ? this.shape.codeLength : this.shape.nlLength;
      const options = { hiddenDropout: 0, attentionDropout: 0, loraDropout: 0, forwardOnly: true, quantizeActivations: this.shape.quantizeActivations === true };
      const head = this.plan.classes === null ? this.shape.head : CLS_HEAD;
      tower = new EncoderTower(this.rt, this.model, this.encoder, { B: batch, T, P: this.prefixRows }, options, head, side === 'code' ? 2 : 3, `eval.${key}`);
      this.evalTowers.set(key, tower);
    }
    return tower;
  }

  /** Commands that refresh the prefix MLP's rows (they depend on trainable weights); empty otherwise. */
  prefixForward(): StepCommand[] {
    return this.prefixMlp?.forward() ?? [];
  }

  /**
   * Forward, loss, backward and clipping for a set of active layers (null: every trainable tensor). Only
   * the active layers get gradients, and the backward stops at the lowest of them.
   */
  private passFor(active: readonly number[] | null): StepCommand[] {
    const key = active ? active.join(',') : 'all';
    const cached = this.passes.get(key);
    if (cached) return cached;
    const trains = (name: string): boolean => {
      if (!active) return true;
      const match = /^encoder\.layer\.(\d+)\./.exec(name);
      return match ? active.includes(Number(match[1])) : true;
    };
    const lowest = active ? Math.min(...active) : this.plan.lowestTrainableLayer;
    const w = bindWeights(this.weights, this.prefixSource, trains);
    const flat = this.weights.flat;
    const pass = [
      ...(flat ? [clear(flat.grads)] : []),
      ...this.prefixForward(),
      ...(this.plan.classes === null ? this.searchPass(w, lowest) : this.classifyPass(w, lowest)),
      ...(this.prefixMlp?.backward() ?? []),
      // Before the norm: a pruned weight's gradient is 0, as weight_orig's is under torch's prune (its mask).
      ...(flat && this.gradMask ? [mask(this.rt, flat.grads, this.gradMask)] : []),
      ...this.optimizer.clip(),
    ];
    this.passes.set(key, pass);
    return pass;
  }

  private searchPass(w: EncoderWeights, lowest: number): StepCommand[] {
    const { code, nl, objective } = this.training;
    return [
      ...code.forward(),
      ...nl.forward(),
      ...objective.forward(code.head, nl.head),
      ...objective.backward(code.head, nl.head),
      ...nl.backward(w, lowest),
      ...code.backward(w, lowest),
    ];
  }

  /** Forward, head, loss, then back: the head's ds is the tower's head.dvec, where its backward starts. */
  private classifyPass(w: EncoderWeights, lowest: number): StepCommand[] {
    const { tower, head, objective } = this.classification;
    const encoderTrains = lowest < this.model.layers;
    return [
      ...tower.forward(),
      ...head.forward(),
      ...objective.forward(head),
      ...objective.backward(head),
      ...head.backward(tower.head.dvec, encoderTrains),
      ...(encoderTrains ? tower.backward(w, lowest) : []),
    ];
  }

  /**
   * Keeps pruned weights at exactly zero from now on (load the weights masked with maskWeights first). Frozen
   * pruned weights never change; trainable ones are zeroed now and their gradients masked every step, so their
   * AdamW moments and updates stay 0 and decay keeps 0 at 0 (tests/model/pruning_methods.test.ts).
   */
  async prune(masks: PruningMasks): Promise<void> {
    const flat = this.weights.flat;
    const keep = flat ? new Float32Array(flat.params.shape[0]!).fill(1) : null;
    let pruned = 0;
    for (const [name, m] of masks) {
      if (!this.weights.has(name)) throw new Error(`a pruning mask names "${name}", which the model does not have`);
      const slot = this.weights.slots.find((s) => s.spec.name === name);
      if (!slot || !keep) continue; // frozen: the masked values it was loaded with stay as they are
      const size = slot.spec.shape.reduce((a, b) => a * b, 1);
      if (m.length !== size) throw new Error(`the pruning mask of "${name}" has ${m.length} entries for ${size} weights`);
      for (let i = 0; i < size; i++) {
        if (m[i] !== 0) continue;
        keep[slot.offset + i] = 0;
        pruned++;
      }
    }
    this.gradMask = flat && keep && pruned > 0 ? this.rt.tensorFrom(keep, [keep.length], 'prune.mask') : null;
    this.passes.clear();
    if (flat && this.gradMask) await this.rt.run([mask(this.rt, flat.params, this.gradMask)], []);
  }

  /** One optimizer step on a batch (ids (B, T), padded); `step` is 0-based, `lr` the scheduled rate. */
  async step(codeIds: Uint32Array, nlIds: Uint32Array, step: number, lr: number): Promise<StepResult> {
    const seed = stepSeed(this.seed, step);
    const { code, nl, objective } = this.training;
    code.setBatch(codeIds, towerSeed(seed, 0));
    nl.setBatch(nlIds, towerSeed(seed, 1));
    return this.runStep(step, lr, objective.loss);
  }

  /** One optimizer step of a classification run on a batch: ids (B, T) padded, labels (B) class indices. */
  async classifyStep(ids: Uint32Array, labels: Uint32Array, step: number, lr: number): Promise<StepResult> {
    const { tower, objective } = this.classification;
    tower.setBatch(ids, towerSeed(stepSeed(this.seed, step), 0));
    objective.setBatch(labels);
    return this.runStep(step, lr, objective.loss);
  }

  private async runStep(step: number, lr: number, lossTensor: Tensor): Promise<StepResult> {
    const pass = this.passFor(scheduledLayers(this.peft, this.model, step, this.seed));
    const optimizer = this.optimizer;
    const update = optimizer.update(this.rangesAt(step), lr);
    const [loss, norm] = await this.rt.run([...pass, ...update], [lossTensor, optimizer.norm]);
    return { loss: loss![0]!, gradNorm: norm![0]!, clipCoef: norm![1]! };
  }

  /** The trainable values, AdamW's moments and step counts (one readback per flat buffer), for a checkpoint. */
  async readState(): Promise<Pick<TrainState, 'adamSteps' | 'flat'>> {
    const flat = this.weights.flat;
    const adamSteps = this.optimizerOnce?.stepCounts() ?? {};
    if (!flat) return { adamSteps, flat: null };
    const [params, m, v] = await this.rt.run([], [flat.params, flat.m, flat.v]);
    return { adamSteps, flat: { params: params!, m: m!, v: v! } };
  }

  /** Puts a checkpoint's values, moments and step counts back (the checkpoint must be of this plan). */
  restoreState(state: Pick<TrainState, 'adamSteps' | 'flat'>): void {
    const flat = this.weights.flat;
    const size = flat ? flat.params.shape[0]! : 0;
    if ((state.flat?.params.length ?? 0) !== size) throw new Error(`the checkpoint holds ${state.flat?.params.length ?? 0} trainable values; this configuration trains ${size}`);
    if (flat && state.flat) {
      this.rt.write(flat.params, state.flat.params);
      this.rt.write(flat.m, state.flat.m);
      this.rt.write(flat.v, state.flat.v);
    }
    this.optimizer.restoreStepCounts(state.adamSteps);
  }

  /** GPU work of one training step (dispatches and FLOPs), e.g. to show what layer freezing saves. */
  stepCost(step: number): { dispatches: number; flops: number } {
    const pass = this.passFor(scheduledLayers(this.peft, this.model, step, this.seed));
    const dispatches = pass.filter((c) => c.kind === 'dispatch');
    return { dispatches: dispatches.length, flops: dispatches.reduce((s, d) => s + (d.kind === 'dispatch' ? d.flops : 0), 0) };
  }

  /**
   * The flat ranges AdamW updates at `step`: everything, or under a layer schedule (LWO) only the active layers (plus the
   * pooler when it trains). Ranges are keyed per layer so each keeps its own AdamW step count.
   */
  rangesAt(step: number): UpdateRange[] {
    const active = scheduledLayers(this.peft, this.model, step, this.seed);
    if (!active) return segmentRanges(this.weights);
    const groups = [...active.map(String), 'other'];
    const groupOf = (spec: ParamSpec): string => (spec.location.kind === 'layer' ? String(spec.location.layer) : 'other');
    const ranges: UpdateRange[] = [];
    for (const segment of ['decay', 'nodecay'] as const) {
      for (const group of groups) {
        const include = (spec: ParamSpec): boolean => groupOf(spec) === group && (segment === 'decay') === decays(spec.name);
        this.weights.rangesOf(include).forEach((range, i) => ranges.push({ key: `${segment}.${group}.${i}`, segment, range }));
      }
    }
    return ranges;
  }
}

/** RobertaForSequenceClassification's head reads the raw <s> state (its own dense + tanh follow). */
const CLS_HEAD: HeadConfig = { pooling: 'cls', normalize: false };

/**
 * RoBERTa numbers token positions from pad + 1, and with a prefix of P rows from pad + 1 + P (as transformers
 * does when peft passes past_key_values): the longest sequence must still fit the position table, where
 * transformers would fail with an index error and a GPU would silently read past it.
 */
export function checkPositions(model: EncoderConfig, peft: PeftConfig, length: number): void {
  const P = prefixLength(peft);
  const last = length + P + model.padTokenId;
  if (last >= model.maxPositions) {
    const room = model.maxPositions - model.padTokenId - 1 - P;
    throw new ConfigError('The sequence lengths', [`a length of ${length}${P ? ` plus the ${P} prefix rows` : ''} needs position ${last}, but the model has ${model.maxPositions} positions: use lengths of at most ${room}${P ? ' or a shorter prefix' : ''}`]);
  }
}
