/**
 * The full training step per method, and evaluation throughput, on randomly initialized weights of the
 * model's shape (nothing downloaded). Each method gets a fresh device so its peak memory is its own; the
 * step is TrainableModel.step exactly as the trainer calls it, timed wall-clock (it ends with the loss
 * readback, so the GPU work is done when the clock stops).
 */
import { evaluateRetrieval, type EncodedSet } from '../engine/eval/retrieval';
import type { Runtime } from '../engine/gpu/runtime';
import type { EncoderConfig } from '../engine/model/config';
import type { ParamSpec } from '../engine/model/params';
import { parsePeftConfig } from '../engine/peft/parse';
import { trainingModel, planStep } from '../engine/plan/memory';
import type { TrainableModel } from '../engine/train/trainable_model';
import type { BenchMethod, BenchScale } from './methods';
import { fractionOfPeak, type PeakMatch } from './peaks';
import type { EvalBench, StepBench } from './report';
import { summarize } from './timing';

export type MakeRuntime = () => Promise<Runtime>;

/** Seeded xorshift32 in [0, 1). */
function uniformSource(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/**
 * BERT-style initial values: LayerNorm weights 1, biases and LoRA B 0 (peft's init), everything else uniform
 * with standard deviation 0.02. Uploaded one tensor at a time so the CPU never holds the whole model.
 */
export function loadRandomWeights(tm: TrainableModel, seed: number): void {
  const next = uniformSource(seed);
  const half = 0.02 * Math.sqrt(3);
  const valueOf = (spec: ParamSpec): Float32Array => {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (spec.name.endsWith('LayerNorm.weight')) return data.fill(1);
    if (spec.name.endsWith('bias') || spec.name.endsWith('lora_B.weight')) return data;
    for (let i = 0; i < n; i++) data[i] = (2 * next() - 1) * half;
    return data;
  };
  for (const spec of [...tm.plan.base, ...tm.plan.added]) tm.weights.load(new Map([[spec.name, valueOf(spec)]]));
}

/** `count` batches of (B, T) ids: <s>, random tokens, </s>, no padding (every position costs the same anyway). */
export function randomBatches(model: EncoderConfig, B: number, T: number, count: number, seed: number): Uint32Array[] {
  const next = uniformSource(seed);
  const first = Math.max(model.bosTokenId, model.eosTokenId, model.padTokenId) + 1;
  return Array.from({ length: count }, () => {
    const ids = new Uint32Array(B * T);
    for (let i = 0; i < ids.length; i++) {
      const t = i % T;
      ids[i] = t === 0 ? model.bosTokenId : t === T - 1 ? model.eosTokenId : first + Math.floor(next() * (model.vocabSize - first));
    }
    return ids;
  });
}

export async function benchStep(makeRuntime: MakeRuntime, scale: BenchScale, method: BenchMethod, peak: PeakMatch | null): Promise<StepBench> {
  const { model, recipe } = scale;
  const peft = parsePeftConfig(method.peft, model);
  const plan = await planStep(model, peft, recipe);
  const rt = await makeRuntime();
  try {
    const tm = trainingModel(rt, model, peft, recipe);
    loadRandomWeights(tm, 1234);
    const code = randomBatches(model, recipe.batchSize, recipe.codeLength, 4, 1);
    const nl = randomBatches(model, recipe.batchSize, recipe.nlLength, 4, 2);
    let step = 0;
    const run = async (): Promise<number> => {
      const r = await tm.step(code[step % 4]!, nl[step % 4]!, step, recipe.lr);
      step++;
      return r.loss;
    };
    for (let i = 0; i < scale.warmupSteps; i++) await run();
    const times: number[] = [];
    let flops = 0;
    let loss = NaN;
    for (let i = 0; i < scale.timedSteps; i++) {
      flops += tm.stepCost(step).flops;
      const t0 = performance.now();
      loss = await run();
      times.push(performance.now() - t0);
    }
    const t = summarize(times, 1, 'wall-clock');
    const flopsPerStep = flops / scale.timedSteps;
    const perSecond = flopsPerStep / (t.ms / 1000);
    return {
      method: method.name,
      peft: method.peft,
      trainableParams: tm.plan.exactTrainable,
      dispatches: plan.cost.dispatches,
      flopsPerStep,
      boundBytesPerStep: plan.cost.boundBytes,
      ms: t.ms,
      minMs: t.minMs,
      meanMs: t.meanMs,
      steps: t.reps,
      tflops: perSecond / 1e12,
      fractionOfPeak: fractionOfPeak(perSecond, peak),
      pairsPerSecond: recipe.batchSize / (t.ms / 1000),
      peakBytes: rt.arena.bytesPeak,
      plannedBytes: plan.memory.total,
      lastLoss: loss,
    };
  } finally {
    rt.destroy();
  }
}

/**
 * Evaluation as the trainer runs it (evaluateRetrieval: embed every code and query in chunks of the eval
 * batch, score and rank on the GPU). A first pass over one chunk compiles the pipelines; the second is timed.
 */
export async function benchEval(makeRuntime: MakeRuntime, scale: BenchScale, method: BenchMethod): Promise<EvalBench> {
  const { model, recipe } = scale;
  const rt = await makeRuntime();
  try {
    const tm = trainingModel(rt, model, parsePeftConfig(method.peft, model), recipe);
    loadRandomWeights(tm, 1234);
    const set = (n: number): EncodedSet => ({
      n,
      code: randomBatches(model, n, recipe.codeLength, 1, 3)[0]!,
      nl: randomBatches(model, n, recipe.nlLength, 1, 4)[0]!,
    });
    await evaluateRetrieval(rt, tm, set(recipe.evalBatchSize), recipe.evalBatchSize);
    const data = set(scale.evalExamples);
    const t0 = performance.now();
    await evaluateRetrieval(rt, tm, data, recipe.evalBatchSize);
    const seconds = (performance.now() - t0) / 1000;
    return { method: method.name, examples: data.n, batchSize: recipe.evalBatchSize, seconds, sequencesPerSecond: (2 * data.n) / seconds, peakBytes: rt.arena.bytesPeak };
  } finally {
    rt.destroy();
  }
}
