/**
 * The pruning schedule as one run (issue 15): its rounds are exactly the commands a user would chain — train,
 * prune the chosen weights, rewind, train the ticket — checked against runTraining and pruneRound called by hand
 * with the same settings; the events sit on one step axis; the chosen weights follow the picking rule; the
 * paper's early stop stops where a score falls below the two before it.
 */
import { describe, expect, it } from 'vitest';
import type { EncodedSet } from '../../src/engine/eval/retrieval';
import { parsePeftConfig } from '../../src/engine/peft/parse';
import { planPeft } from '../../src/engine/peft/plan';
import { fullMasks, maskWeights } from '../../src/engine/prune/masks';
import { EarlyStop, runPruneSchedule, type RoundResult } from '../../src/engine/prune/schedule';
import { DEFAULT_SCHEDULE, type PruneSchedule } from '../../src/engine/prune/schedule_config';
import { pruneRound, roundHalfEven, seededUniform } from '../../src/engine/prune/select';
import type { PruneRoundEvent, TrainerEvent } from '../../src/engine/train/events';
import { parseRunConfig } from '../../src/engine/train/run_config';
import { runTraining, type TrainerConfig } from '../../src/engine/train/trainer';
import { testRuntime } from '../helpers/gpu';
import { Rng } from '../helpers/random';
import { goldenConfig, goldenTensors } from './golden';

const model = goldenConfig();
const base = new Map([...goldenTensors('base.safetensors').tensors].map(([k, t]) => [k, t.data as Float32Array]));
const recipe = { batchSize: 4, codeLength: 10, nlLength: 7, head: { pooling: 'pooler' as const, normalize: false }, scale: 1, hiddenDropout: 0, attentionDropout: 0 };

/** Pair i's code holds its query's three "topic" tokens among noise: a task a few steps can learn. */
function toySet(n: number, seed: number): EncodedSet {
  const rng = new Rng(seed);
  const code = new Uint32Array(n * 10).fill(1);
  const nl = new Uint32Array(n * 7).fill(1);
  for (let i = 0; i < n; i++) {
    const topic = [rng.int(3, 50), rng.int(3, 50), rng.int(3, 50)];
    code.set([0, topic[0]!, rng.int(3, 50), topic[1]!, rng.int(3, 50), topic[2]!, 2], i * 10);
    nl.set([0, ...topic, 2], i * 7);
  }
  return { n, code, nl };
}

const data = { train: toySet(32, 1), valid: toySet(16, 2) };
const full = parsePeftConfig({ methods: [{ type: 'full' }] }, model);
const config: TrainerConfig = { task: { kind: 'code-search' }, peft: full, recipe, lr: 3e-3, weightDecay: 0.01, maxGradNorm: 1, warmupSteps: 0, steps: 4, epochs: 1, seed: 7, shuffle: true, evalEvery: 2, evalBatchSize: 8 };
const plan = planPeft(model, full);

async function schedule(s: Partial<PruneSchedule>): Promise<{ events: TrainerEvent[]; rounds: RoundResult[] }> {
  const rt = await testRuntime();
  const events: TrainerEvent[] = [];
  const rounds: RoundResult[] = [];
  await runPruneSchedule(rt, plan, base, config, { ...DEFAULT_SCHEDULE, ...s }, data, (e) => events.push(e), undefined, { onRound: (r) => void rounds.push(r) });
  return { events, rounds };
}

function zeros(mask: Uint8Array): number {
  return mask.reduce((n, m) => n + (m === 0 ? 1 : 0), 0);
}

/** One round as a user runs it by hand: train `start` (masked) with the masks held, return the final weights, whole. */
async function byHand(start: ReadonlyMap<string, Float32Array>, masks: ReadonlyMap<string, Uint8Array>, pick: 'final' | 'best' = 'final'): Promise<Map<string, Float32Array>> {
  const rt = await testRuntime();
  const initial = maskWeights(start, masks);
  const out = await runTraining(rt, plan, initial, config, data, () => undefined, undefined, {}, masks);
  return new Map([...initial, ...(pick === 'best' ? out.best! : out.final)]);
}

describe('pruning schedule', () => {
  it('runs 3 rounds of 10% (L1, global, picking last, rewound to the start) as the commands would by hand', { timeout: 300_000 }, async () => {
    const { events, rounds } = await schedule({});
    const ends = events.filter((e): e is PruneRoundEvent => e.type === 'prune-round');
    expect(ends.map((e) => e.round)).toEqual([0, 1, 2, 3]);
    const prunable = [...fullMasks(base).values()].reduce((n, m) => n + m.length, 0);
    // torch's counts: 10% of what is left, rounded half to even, each round.
    let left = prunable;
    const expected = [0];
    for (let r = 1; r <= 3; r++) {
      const k = roundHalfEven(0.1 * left);
      expected.push(k);
      left -= k;
    }
    expect(ends.map((e) => e.pruned)).toEqual(expected);
    expect(ends.map((e) => e.sparsity)).toEqual(expected.map((_, i) => expected.slice(0, i + 1).reduce((a, b) => a + b, 0) / prunable));
    expect(ends.every((e) => e.steps === 4 && e.picked_step === 4 * (e.round + 1) && e.value !== null && !e.stopped_early)).toBe(true);
    // One step axis: one start (of every round's steps), steps 1..16, evaluations at 2, 4, ..., one done.
    expect(events.filter((e) => e.type === 'start')).toMatchObject([{ total_steps: 16 }]);
    expect(events.filter((e) => e.type === 'step').map((e) => (e.type === 'step' ? e.step : 0))).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(events.filter((e) => e.type === 'eval').map((e) => (e.type === 'eval' ? e.step : 0))).toEqual([2, 4, 6, 8, 10, 12, 14, 16]);
    expect(events.at(-1)).toMatchObject({ type: 'done', steps: 16, best_step: 16, best_metric: 'mrr', best_mrr: ends[3]!.value, stopped: false });
    // Round 0 is the dense run by hand; round 1 prunes its final weights and trains the start with the new masks.
    const dense = await byHand(base, fullMasks(base));
    for (const [name, value] of rounds[0]!.weights) expect(value, name).toEqual(dense.get(name));
    const masks = fullMasks(base);
    pruneRound([...masks].map(([n, mask]) => ({ values: dense.get(n)!, mask })), DEFAULT_SCHEDULE, seededUniform(7));
    for (const [name, mask] of masks) expect(rounds[1]!.masks.get(name), name).toEqual(mask);
    const ticket = await byHand(base, masks);
    for (const [name, value] of rounds[1]!.weights) expect(value, name).toEqual(ticket.get(name));
    // The last round's weights hold their zeros.
    const last = rounds[3]!;
    for (const [name, mask] of last.masks) mask.forEach((m, i) => m === 0 && expect(last.weights.get(name)![i], `${name}[${i}]`).toBe(0));
    expect([...last.masks.values()].reduce((n, m) => n + zeros(m), 0)).toBe(prunable - left);
  });

  it('picks the best evaluation of each round and rewinds to the weights round 0 chose', { timeout: 300_000 }, async () => {
    const { events, rounds } = await schedule({ rounds: 2, pick: 'best', rewind: 'first-round', scope: 'per-tensor' });
    const ends = events.filter((e): e is PruneRoundEvent => e.type === 'prune-round');
    for (const end of ends) {
      const own = events.filter((e): e is Extract<TrainerEvent, { type: 'eval' }> => e.type === 'eval' && e.step > 4 * end.round && e.step <= 4 * (end.round + 1));
      const scores = own.map((e) => (e.task !== 'classification' ? e.mrr : NaN));
      expect(end.value).toBe(Math.max(...scores));
      expect(end.picked_step).toBe(own[scores.indexOf(end.value!)]!.step);
    }
    // Round 2 starts from round 0's chosen weights under round 2's masks, and keeps its best evaluation's.
    const again = await byHand(rounds[0]!.weights, rounds[2]!.masks, 'best');
    for (const [name, value] of rounds[2]!.weights) expect(value, name).toEqual(again.get(name));
    // Per tensor: each weight loses 10% of what it has left, twice.
    for (const [name, mask] of rounds[2]!.masks) {
      const first = roundHalfEven(0.1 * mask.length);
      expect(zeros(mask), name).toBe(first + roundHalfEven(0.1 * (mask.length - first)));
    }
  });

  it("stops a round when a score falls below both of the two before it (the paper's rule)", () => {
    const stop = new EarlyStop(true);
    for (const v of [0.3, 0.5, 0.4, 0.45]) stop.see(v);
    expect(stop.stopped).toBe(false); // 0.4 < 0.5 but not < 0.3; 0.45 is above 0.4
    stop.see(0.39);
    expect(stop.stopped).toBe(true);
    const never = new EarlyStop(false);
    for (const v of [0.5, 0.4, 0.3]) never.see(v);
    expect(never.stopped).toBe(false);
    const undefinedScores = new EarlyStop(true);
    for (const v of [0.5, null, 0.4, null, 0.45]) undefinedScores.see(v);
    expect(undefinedScores.stopped).toBe(false);
  });

  it('is part of the run configuration, and refuses picking or stopping without evaluations', () => {
    const run = { model: 'm', dataset: 'd', peft: { methods: [{ type: 'full' }] }, recipe: { evalEvery: 100 }, pruning: { rounds: 3, amount: 0.1, pick: 'best', earlyStop: true } };
    expect(parseRunConfig(run, model).pruning).toEqual({ ...DEFAULT_SCHEDULE, pick: 'best', earlyStop: true });
    expect(parseRunConfig({ ...run, pruning: undefined }, model).pruning).toBeUndefined();
    expect(() => parseRunConfig({ ...run, recipe: { evalEvery: 0 } }, model)).toThrow(/early stopping needs evaluations/);
    expect(() => parseRunConfig({ ...run, pruning: { amount: 1.5, rewind: 'somewhere' } }, model)).toThrow(/pruning\.amount.*\n?.*|pruning\.rewind/);
  });

  it('refuses a schedule without a validation set', async () => {
    const rt = await testRuntime();
    await expect(runPruneSchedule(rt, plan, base, config, DEFAULT_SCHEDULE, { train: data.train, valid: null }, () => undefined)).rejects.toThrow(/validation set/);
  });
});
