/**
 * Checkpoints and resume on the tiny golden model: a run continued from a checkpoint (through the file codec,
 * on a fresh model) computes exactly what the uninterrupted run does — losses, evaluations, best step and final
 * weights — with dropout on, for LoRA with lora_dropout and for LWO (per-layer AdamW step counts); a stopped run
 * leaves a checkpoint at the step it stopped; a run whose GPU device is destroyed mid-run ends with its last
 * checkpoint untouched and continues from it on another device to the same result.
 */
import { describe, expect, it } from 'vitest';
import type { EncodedSet } from '../../src/engine/eval/retrieval';
import { parsePeftConfig } from '../../src/engine/peft/parse';
import { planPeft } from '../../src/engine/peft/plan';
import { buildModel } from '../../src/engine/train/build_model';
import { decodeCheckpoint, encodeCheckpoint, fingerprintDifferences } from '../../src/engine/train/checkpoint';
import type { TrainerEvent } from '../../src/engine/train/events';
import { startingWeights } from '../../src/engine/train/starting_weights';
import type { TrainState } from '../../src/engine/train/train_state';
import { runTraining, TrainingDiverged, TrainingInterrupted, type TrainerConfig, type TrainerControl } from '../../src/engine/train/trainer';
import { createNodeRuntime } from '../../src/engine/gpu/node';
import { testRuntime } from '../helpers/gpu';
import { Rng } from '../helpers/random';
import { goldenConfig, goldenTensors } from './golden';

const model = goldenConfig();
const base = new Map([...goldenTensors('base.safetensors').tensors].map(([k, t]) => [k, t.data as Float32Array]));
const recipe = { batchSize: 4, codeLength: 10, nlLength: 7, head: { pooling: 'pooler' as const, normalize: false }, scale: 1, hiddenDropout: 0.1, attentionDropout: 0.1 };

function pairs(n: number, seed: number): EncodedSet {
  const rng = new Rng(seed);
  const code = new Uint32Array(n * 10).fill(1);
  const nl = new Uint32Array(n * 7).fill(1);
  for (let i = 0; i < n; i++) {
    const t = [rng.int(3, 50), rng.int(3, 50)];
    code.set([0, t[0]!, rng.int(3, 50), t[1]!, 2], i * 10);
    nl.set([0, ...t, 2], i * 7);
  }
  return { n, code, nl };
}

function config(peft: unknown): TrainerConfig {
  return { task: { kind: 'code-search' }, peft: parsePeftConfig(peft, model), recipe, lr: 5e-3, weightDecay: 0.01, maxGradNorm: 1, warmupSteps: 2, steps: 8, epochs: 1, seed: 5, shuffle: true, evalEvery: 3, evalBatchSize: 8 };
}

const data = { train: pairs(20, 1), valid: pairs(8, 2) };

interface Run {
  readonly events: TrainerEvent[];
  readonly saved: TrainState[];
  readonly final: Map<string, Float32Array>;
}

async function run(cfg: TrainerConfig, resume: TrainState | null = null, stopAfter = Infinity): Promise<Run> {
  const rt = await testRuntime();
  const plan = planPeft(model, cfg.peft);
  const initial = startingWeights(plan, { base }, cfg.seed).values;
  const events: TrainerEvent[] = [];
  const saved: TrainState[] = [];
  // Through the file format: what is restored is what a checkpoint file holds.
  const checkpoint = { every: 0, save: async (s: TrainState) => void saved.push(decodeCheckpoint(encodeCheckpoint({ state: s, fingerprint: { peft: cfg.peft } }), 'test').state) };
  let steps = 0;
  const control: TrainerControl = { shouldStop: () => steps >= stopAfter, gate: async () => undefined };
  const out = await runTraining(rt, plan, initial, cfg, data, (e) => (events.push(e), e.type === 'step' && steps++), control, { resume, checkpoint });
  return { events, saved, final: out.final };
}

const after = (events: TrainerEvent[], step: number) => events.filter((e) => (e.type === 'step' || e.type === 'eval') && e.step > step).map((e) => JSON.stringify({ ...e, elapsed_ms: 0, tokens_per_s: 0 }));

describe.each([
  ['LoRA with lora_dropout', { methods: [{ type: 'lora', r: 4, alpha: 8, dropout: 0.1, targets: ['query', 'value'] }] }],
  ['LWO (per-layer AdamW steps)', { methods: [{ type: 'lwo', group: 1, schedule: 'random', phaseSteps: 2 }] }],
])('resume: %s', (_, peft) => {
  it('continuing from the step-3 checkpoint computes what the uninterrupted run does (dropout on)', async () => {
    const cfg = config(peft);
    const whole = await run(cfg);
    expect(whole.saved.map((s) => s.step)).toEqual([3, 6, 8]); // at each evaluation, and at the end
    const third = whole.saved[0]!;
    expect(third.best?.step).toBe(3);
    const resumed = await run(cfg, third);
    expect(resumed.events[0]).toMatchObject({ type: 'start', resumed_from: 3 });
    expect(after(resumed.events, 3)).toEqual(after(whole.events, 3));
    expect(resumed.events.at(-1)).toMatchObject({ type: 'done', steps: 8, best_step: (whole.events.at(-1) as { best_step: number }).best_step });
    for (const [name, value] of whole.final) expect([...resumed.final.get(name)!], name).toEqual([...value]);
  });
});

describe('gradient clipping off', () => {
  it('maxGradNorm 0 trains with every clip coefficient 1 (it crashed every run before)', async () => {
    const rt = await testRuntime();
    const cfg = { ...config({ methods: [{ type: 'bitfit' }] }), maxGradNorm: 0, steps: 2, evalEvery: 0 };
    const plan = planPeft(model, cfg.peft);
    const tm = buildModel(rt, plan, cfg, 'train');
    tm.weights.load(startingWeights(plan, { base }, 1).values);
    const r = await tm.step(data.train.code.slice(0, 40), data.train.nl.slice(0, 28), 0, 1e-3);
    expect(r.gradNorm).toBeGreaterThan(0);
    expect(r.clipCoef).toBe(1);
  });
});

describe('a run that diverges', () => {
  it('keeps the last checkpoint and hands back the best weights so far (it lost them before)', async () => {
    const rt = await testRuntime();
    const cfg = { ...config({ methods: [{ type: 'full' }] }), lr: 1e30, maxGradNorm: 0, warmupSteps: 0, evalEvery: 1, steps: 6 };
    const plan = planPeft(model, cfg.peft);
    const saved: TrainState[] = [];
    const checkpoint = { every: 0, save: async (s: TrainState) => void saved.push(s) };
    const events: TrainerEvent[] = [];
    const run = runTraining(rt, plan, startingWeights(plan, { base }, 1).values, cfg, data, (e) => events.push(e), undefined, { checkpoint });
    const error = await run.then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingDiverged);
    const diverged = error as TrainingDiverged;
    const at = events.find((e) => e.type === 'error')!.step!;
    expect(diverged.best?.step).toBe(1);
    expect(diverged.best?.weights.size).toBeGreaterThan(0);
    expect(saved.at(-1)!.step).toBe(at - 1); // the last checkpoint is the step before; the NaN state is never saved
  });
});

describe('stop and resume', () => {
  it('a stopped run saves its state at the step it stopped, and continuing from it finishes as the whole run', async () => {
    const cfg = config({ methods: [{ type: 'lora', r: 4, alpha: 8, dropout: 0.1, targets: ['query', 'value'] }] });
    const whole = await run(cfg);
    const stopped = await run(cfg, null, 5);
    expect(stopped.events.at(-1)).toMatchObject({ type: 'done', steps: 5, stopped: true });
    expect(stopped.saved.at(-1)!.step).toBe(5);
    const resumed = await run(cfg, stopped.saved.at(-1)!);
    expect(after(resumed.events, 5)).toEqual(after(whole.events, 5));
    for (const [name, value] of whole.final) expect([...resumed.final.get(name)!], name).toEqual([...value]);
  });

  it('names what differs between a checkpoint and the run that would continue it', () => {
    expect(fingerprintDifferences({ lr: 0.001, seed: 5 }, { lr: 0.002, seed: 5 })).toEqual(['lr: 0.001 → 0.002']);
    expect(fingerprintDifferences({ a: [1] }, { a: [1] })).toEqual([]);
  });

  it('refuses a file that is not a checkpoint, or one whose state is damaged', () => {
    expect(() => decodeCheckpoint(new Uint8Array(8), 'x.safetensors')).toThrow();
    const good = encodeCheckpoint({ state: { step: 1, adamSteps: {}, flat: null, best: null }, fingerprint: {} });
    expect(decodeCheckpoint(good, 'ok').state.step).toBe(1);
    // Same length, byte for byte (the 8-byte length prefix is not text), so only the state inside is wrong.
    const bad = Uint8Array.from(good);
    const at = Buffer.from(bad).indexOf('\\"best\\":null');
    expect(at).toBeGreaterThan(0);
    bad.set(new TextEncoder().encode('\\"best\\":true'), at);
    expect(() => decodeCheckpoint(bad, 'bad.safetensors')).toThrow(/its state is incomplete/);
  });
});

describe('a GPU device lost mid-run (Node, Dawn)', () => {
  it('ends the run as TrainingInterrupted with the last checkpoint untouched, and a new device continues it to the uninterrupted result', async () => {
    const cfg = config({ methods: [{ type: 'lora', r: 4, alpha: 8, dropout: 0.1, targets: ['query', 'value'] }] });
    const whole = await run(cfg);
    // A device of its own: destroying it must not take the shared test runtime with it.
    const rt = await createNodeRuntime({}, ['disable_workgroup_init']);
    const plan = planPeft(model, cfg.peft);
    const saved: TrainState[] = [];
    const checkpoint = { every: 2, save: async (s: TrainState) => void saved.push(decodeCheckpoint(encodeCheckpoint({ state: s, fingerprint: {} }), 'test').state) };
    const events: TrainerEvent[] = [];
    // Destroyed as a driver reset would end it: between step 5 and step 6, after the step-4 checkpoint.
    const emit = (e: TrainerEvent): void => {
      events.push(e);
      if (e.type === 'step' && e.step === 5) rt.device.destroy();
    };
    const error = await runTraining(rt, plan, startingWeights(plan, { base }, cfg.seed).values, cfg, data, emit, undefined, { checkpoint }).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingInterrupted);
    const lost = error as TrainingInterrupted;
    expect(lost.gpuError.kind).toBe('device-lost');
    expect(lost.checkpointStep).toBe(4);
    expect(lost.best?.step).toBe(3);
    expect(saved.map((s) => s.step)).toEqual([2, 3, 4]); // nothing written after the loss
    expect(events.some((e) => e.type === 'done')).toBe(false);
    const resumed = await run(cfg, saved.at(-1)!); // "Resume": the shared test device stands in for the new one
    expect(after(resumed.events, 4)).toEqual(after(whole.events, 4));
    for (const [name, value] of whole.final) expect([...resumed.final.get(name)!], name).toEqual([...value]);
  });
});

describe('out of memory reported by the device mid-run', () => {
  it('ends the run at the next step as TrainingInterrupted (out-of-memory), saving nothing after the last checkpoint', async () => {
    const cfg = config({ methods: [{ type: 'lora', r: 4, alpha: 8, dropout: 0.1, targets: ['query', 'value'] }] });
    const rt = await testRuntime();
    const plan = planPeft(model, cfg.peft);
    const saved: number[] = [];
    const checkpoint = { every: 2, save: async (s: TrainState) => void saved.push(s.step) };
    const steps: number[] = [];
    // The event a failed allocation outside an error scope fires: a GPUOutOfMemoryError, uncaptured.
    const emit = (e: TrainerEvent): void => {
      if (e.type !== 'step') return;
      steps.push(e.step);
      if (e.step === 5) rt.device.dispatchEvent(new GPUUncapturedErrorEvent('uncapturederror', { error: new GPUOutOfMemoryError('allocation failed') }));
    };
    const error = await runTraining(rt, plan, startingWeights(plan, { base }, cfg.seed).values, cfg, data, emit, undefined, { checkpoint }).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingInterrupted);
    const oom = error as TrainingInterrupted;
    expect(oom.gpuError.kind).toBe('out-of-memory');
    expect(oom.checkpointStep).toBe(4);
    expect(steps).toEqual([1, 2, 3, 4, 5]); // no step after the report
    expect(saved).toEqual([2, 3, 4]);
  });
});
