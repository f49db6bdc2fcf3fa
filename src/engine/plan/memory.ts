/**
 * The memory planner: how many bytes of GPU memory a training step (and optionally evaluation) allocates
 * for a model, a PEFT configuration and a recipe — before anything touches the GPU.
 *
 * How: it does not keep a second model of the engine's allocations. It builds the real TrainableModel on a
 * counting device (counting_device.ts) and runs one real `step()`, so every tensor the engine would create —
 * weights, the flat trainable buffers, both towers' activations and gradient scratch, the objective, the
 * optimizer's uniforms, the readback staging — goes through the same Runtime and BufferArena code as on a
 * GPU. The total is the arena's peak, exactly what `rt.arena.bytesPeak` reports after a real step (the
 * kernel tests check equality on SwiftShader). A change to the engine's allocations changes the prediction
 * with it. The split into categories walks the engine's own structures (which buffers are frozen weights,
 * which the flat trainable state, which a tower's forward saves); everything else is scratch.
 *
 * Not counted: what the driver adds (allocation rounding, pipelines, the command buffers), and the model
 * files' staging on the CPU side.
 */
import { Runtime } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { classifyAll } from '../eval/classification_eval';
import { evaluateRetrieval, type EncodedSet } from '../eval/retrieval';
import type { EncoderConfig } from '../model/config';
import type { EncoderTower } from '../model/encoder';
import { scheduleChanges } from '../peft/attach';
import { planPeft } from '../peft/plan';
import type { PeftConfig } from '../peft/types';
import { buildModel } from '../train/build_model';
import { trainerConfig, type RecipeSettings } from '../train/run_config';
import type { TrainableModel } from '../train/trainable_model';
import { countingDevice, type CountedBuffer, type CountingDevice } from './counting_device';

export type MemoryCategory = 'weights' | 'trainable' | 'activations' | 'scratch';

/** Allocations of one kind (e.g. `layer.q`: every layer's query output in both towers). */
export interface MemoryItem {
  readonly name: string;
  readonly category: MemoryCategory;
  readonly bytes: number;
  readonly count: number;
}

export interface StepMemoryPlan {
  /** Frozen parameters (each its own buffer). */
  readonly weights: number;
  /** The flat trainable state: parameters + gradients + AdamW m + v. */
  readonly trainable: number;
  /** What the two training towers' forward passes keep for backward, their inputs included. */
  readonly activations: number;
  /** Everything else a step allocates: activation gradients, objective, optimizer reductions, uniforms, readback. */
  readonly scratch: number;
  /** The arena's peak over training steps (for LWO, over one cycle of its phases): the sum of the four above. */
  readonly total: number;
  /**
   * Extra peak bytes of the first evaluation as the trainer runs it — forward-only towers at the eval batch
   * (kept for the run), the ranking buffers, the readback of the best weights; null unless asked.
   */
  readonly evaluation: number | null;
  /** Allocations grouped by kind, largest first. */
  readonly breakdown: readonly MemoryItem[];
  /**
   * The largest single storage buffer of the step, and of the evaluation when it is planned: a kernel binds it
   * whole, so it must fit the adapter's maxStorageBufferBindingSize however much memory the GPU has.
   */
  readonly largest: LargestBuffer;
}

/** One buffer, by the label the engine gave it (tower and layer kept: `code.layer3.f1`). */
export interface LargestBuffer {
  readonly label: string;
  readonly bytes: number;
  /** 'evaluation' for a buffer only the evaluation creates. */
  readonly category: MemoryCategory | 'evaluation';
}

export interface StepCostPlan {
  /** Dispatches of one step, AdamW included. */
  readonly dispatches: number;
  /** The engine's FLOP count of the step (forward, backward, clipping; AdamW's few per parameter not counted). */
  readonly flops: number;
  /** Bytes the step's dispatches bind: the memory traffic if every bound range were touched once. */
  readonly boundBytes: number;
}

export interface PlanOptions {
  /** Also plan the first evaluation of this many (code, query) pairs at recipe.evalBatchSize. */
  readonly evalExamples?: number;
  /** A classification run's classes: one tower and the head instead of code search's two towers. */
  readonly classes?: number | null;
}

/** Bytes a training step allocates for this configuration, by category. */
export async function planStepMemory(model: EncoderConfig, peft: PeftConfig, recipe: RecipeSettings, options: PlanOptions = {}): Promise<StepMemoryPlan> {
  return (await simulate(model, peft, recipe, options)).memory;
}

/** Dispatches, FLOPs and bound bytes of the first training step for this configuration. */
export async function planStepCost(model: EncoderConfig, peft: PeftConfig, recipe: RecipeSettings, classes: number | null = null): Promise<StepCostPlan> {
  return (await simulate(model, peft, recipe, { classes })).cost;
}

/** Memory and cost of the same configuration from one simulated step (the dashboard shows both). */
export async function planStepMemoryAndCost(model: EncoderConfig, peft: PeftConfig, recipe: RecipeSettings, options: PlanOptions = {}): Promise<{ memory: StepMemoryPlan; cost: StepCostPlan }> {
  return simulate(model, peft, recipe, options);
}

/** Both plans from one simulated step. */
export async function planStep(model: EncoderConfig, peft: PeftConfig, recipe: RecipeSettings, options: PlanOptions = {}): Promise<{ memory: StepMemoryPlan; cost: StepCostPlan }> {
  return simulate(model, peft, recipe, options);
}

async function simulate(model: EncoderConfig, peft: PeftConfig, recipe: RecipeSettings, options: PlanOptions): Promise<{ memory: StepMemoryPlan; cost: StepCostPlan }> {
  const { acquired, device } = countingDevice();
  const rt = new Runtime(acquired);
  const classes = options.classes ?? null;
  const tm = trainingModel(rt, model, peft, recipe, classes);
  const shape = tm.shape;
  const code = syntheticIds(model, shape.batchSize, shape.codeLength);
  const nl = syntheticIds(model, shape.batchSize, shape.nlLength);
  const labels = new Uint32Array(shape.batchSize);
  const step = (s: number): Promise<unknown> => (classes === null ? tm.step(code, nl, s, recipe.lr) : tm.classifyStep(code, labels, s, recipe.lr));
  await step(0);
  const first = device.dispatches.slice();
  const cost: StepCostPlan = { dispatches: first.length, flops: tm.stepCost(0).flops, boundBytes: first.reduce((s, d) => s + d.boundBytes, 0) };
  // LWO's later phases each add their own AdamW uniforms: one step per phase covers the whole run.
  for (const s of scheduleChanges(peft, model)) await step(s);
  const stepPeak = rt.arena.bytesPeak;
  const categories = categorize(tm);
  const memory = summarize(device, categories, stepPeak);
  if (options.evalExamples === undefined || options.evalExamples < 1) return { memory, cost };
  const stepBuffers = device.buffers.length;
  // As the trainer does at an evaluation: rank (or classify) the set, then read back the (best so far) trainable weights.
  const set = syntheticSet(model, shape, options.evalExamples);
  if (classes === null) await evaluateRetrieval(rt, tm, set, recipe.evalBatchSize);
  else await classifyAll(rt, tm, set, recipe.evalBatchSize);
  await tm.weights.readTrainable();
  const largest = largestStorage(device.buffers.slice(stepBuffers), () => 'evaluation', memory.largest);
  return { memory: { ...memory, evaluation: rt.arena.bytesPeak - stepPeak, largest }, cost };
}

/** The largest buffer with STORAGE usage among `buffers`, or `initial` when none is larger. */
function largestStorage(buffers: readonly CountedBuffer[], categoryOf: (b: CountedBuffer) => LargestBuffer['category'], initial: LargestBuffer): LargestBuffer {
  let largest = initial;
  for (const b of buffers) {
    if ((b.usage & GPUBufferUsage.STORAGE) !== 0 && b.size > largest.bytes) largest = { label: b.label, bytes: b.size, category: categoryOf(b) };
  }
  return largest;
}

/** The model exactly as the trainer builds it (same AdamW settings, same recipe shape), for code search or `classes` classes. */
export function trainingModel(rt: Runtime, model: EncoderConfig, peft: PeftConfig, recipe: RecipeSettings, classes: number | null = null): TrainableModel {
  const task = classes === null ? undefined : ({ kind: 'classification', classes, classWeights: null, bestMetric: 'accuracy' } as const);
  return buildModel(rt, planPeft(model, peft, classes), trainerConfig(recipe, peft, task), 'train');
}

/** (B, T) ids with every position a real token: <s> x x ... </s>. Contents do not change allocations. */
export function syntheticIds(model: EncoderConfig, B: number, T: number): Uint32Array {
  const ids = new Uint32Array(B * T);
  const first = Math.max(model.bosTokenId, model.eosTokenId, model.padTokenId) + 1;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) ids[b * T + t] = t === 0 ? model.bosTokenId : t === T - 1 ? model.eosTokenId : first + ((b * 7 + t) % (model.vocabSize - first));
  }
  return ids;
}

function syntheticSet(model: EncoderConfig, shape: { codeLength: number; nlLength: number }, n: number): EncodedSet {
  return { n, code: syntheticIds(model, n, shape.codeLength), nl: syntheticIds(model, n, shape.nlLength) };
}

/** Which buffers are frozen weights, flat trainable state and saved activations (by the engine's structures). */
function categorize(tm: TrainableModel): Map<GPUBuffer, MemoryCategory> {
  const category = new Map<GPUBuffer, MemoryCategory>();
  const mark = (tensors: Iterable<Tensor>, c: MemoryCategory): void => {
    for (const t of tensors) if (!category.has(t.buffer)) category.set(t.buffer, c);
  };
  const flat = tm.weights.flat;
  if (flat) mark([flat.params, flat.grads, flat.m, flat.v], 'trainable');
  const frozen = [...tm.plan.base, ...tm.plan.added].filter((s) => !tm.weights.isTrainable(s.name));
  mark(frozen.map((s) => tm.weights.get(s.name)), 'weights');
  if (tm.plan.classes === null) {
    const { code, nl } = tm.training;
    for (const tower of [code, nl]) mark(forwardTensors(tower), 'activations');
  } else {
    const { tower, head } = tm.classification;
    mark([...forwardTensors(tower), head.x0, head.dense, head.t, head.x1, head.logits], 'activations');
  }
  return category;
}

/** The tensors a tower's forward writes and keeps: inputs, embedding and layer activations, head outputs. */
function forwardTensors(tower: EncoderTower): Tensor[] {
  const h = tower.head;
  return [...tensorsIn([tower.inputs, tower.emb, tower.layers]), h.pooled, h.dense, h.tanh, h.vec, h.norm];
}

function isTensor(value: unknown): value is Tensor {
  return typeof value === 'object' && value !== null && 'buffer' in value && 'shape' in value;
}

/** Every Tensor inside nested records and arrays. */
function tensorsIn(value: unknown, out: Tensor[] = []): Tensor[] {
  if (isTensor(value)) out.push(value);
  else if (Array.isArray(value)) for (const v of value) tensorsIn(v, out);
  else if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) tensorsIn(v, out);
  return out;
}

function summarize(device: CountingDevice, category: Map<GPUBuffer, MemoryCategory>, total: number): StepMemoryPlan {
  const sums: Record<MemoryCategory, number> = { weights: 0, trainable: 0, activations: 0, scratch: 0 };
  const groups = new Map<string, { name: string; category: MemoryCategory; bytes: number; count: number }>();
  for (const b of device.buffers) {
    const c = category.get(b as unknown as GPUBuffer) ?? 'scratch';
    if (c !== 'scratch') sums[c] += b.size;
    const name = kindOf(b);
    const g = groups.get(`${c}:${name}`) ?? { name, category: c, bytes: 0, count: 0 };
    g.bytes += b.size;
    g.count += 1;
    groups.set(`${c}:${name}`, g);
  }
  const scratch = total - sums.weights - sums.trainable - sums.activations;
  const breakdown = [...groups.values()].sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
  const none: LargestBuffer = { label: '', bytes: 0, category: 'scratch' };
  const largest = largestStorage(device.buffers, (b) => category.get(b as unknown as GPUBuffer) ?? 'scratch', none);
  return { ...sums, scratch, total, evaluation: null, breakdown, largest };
}

/** A buffer's label with the tower and layer index taken out, so like allocations group together. */
function kindOf(b: CountedBuffer): string {
  return b.label
    .replace(/^(code|nl)\./, '')
    .replace(/layer\d+/, 'layer')
    .replace(/layer\.\d+\./, 'layer.N.')
    .replace(/block\d+$/, 'block');
}
