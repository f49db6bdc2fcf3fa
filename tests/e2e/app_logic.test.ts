/**
 * The dashboard's pure logic, in Node (no browser): smoothing and downsampling of curves, share-link
 * encoding and validation, the research presets against the engine's parser, sweep grids, the memory plan
 * (the Worker's handler, the page's debounced requests, the limit warnings), seed grouping, exports and axis
 * ticks.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PRESETS } from '../../src/engine/model/config';
import { planPeft } from '../../src/engine/peft/plan';
import { planStepCost, planStepMemory } from '../../src/engine/plan/memory';
import { parseRunConfig, type RunConfig } from '../../src/engine/train/run_config';
import { bucketWidth, downsample, mergeSeries } from '../../src/app/lib/downsample';
import { debiasedEma } from '../../src/app/lib/ema';
import { csvCell, metricsCsv, runsCsv } from '../../src/app/lib/export_runs';
import { formatBytesSpread, formatStep } from '../../src/app/lib/format';
import { layerText, parseLayerText } from '../../src/app/lib/layers';
import { memoryWarnings } from '../../src/app/lib/memory_limits';
import { methodLabel } from '../../src/engine/report/method_label';
import { METHOD_PRESETS, RECIPE_PRESETS } from '../../src/app/lib/presets';
import { seedGroupKey, type RunRecord } from '../../src/app/lib/run_types';
import { decodeShareHash, encodeShareHash, MAX_SHARE_CHARS, unsafePatternIn } from '../../src/app/lib/share';
import { meanStd } from '../../src/engine/report/stats';
import { expandSweep, parseValueList } from '../../src/app/lib/sweep';
import { logAxis, niceAxis } from '../../src/app/lib/ticks';
import { tableRows } from '../../src/app/features/runs/rows';
import { MemoryPlanner, PLAN_DEBOUNCE_MS } from '../../src/app/store/memory_plan_client';
import type { MemoryPlanState } from '../../src/app/store/memorySlice';
import { planMemory } from '../../src/app/worker/plan_memory';
import type { WorkerRequest } from '../../src/app/worker/protocol';

const codebert = PRESETS['microsoft/codebert-base'];
const config = (peft: unknown, recipe: object = {}): RunConfig => parseRunConfig({ model: 'microsoft/codebert-base', dataset: 'train.jsonl', peft, recipe }, codebert);

function run(id: string, seed: number, mrr: number, peft: unknown = { methods: [{ type: 'bitfit' }] }): RunRecord {
  const point = { step: 10, mrr, recall1: mrr / 2, recall5: mrr, recall10: mrr };
  return {
    id, name: id, createdAt: seed, config: config(peft, { seed }), method: 'BitFit', color: 0, status: 'done', trainable: null,
    totalSteps: 10, steps: 10, elapsedMs: 1000, peakBytes: 2 ** 20, best: point, final: point, failure: null, sweep: null,
  };
}

describe('curves', () => {
  it('debiases the EMA (TensorBoard): the first value is kept, then a weighted average', () => {
    const s = debiasedEma([2, 4, 4], 0.5);
    expect(s[0]).toBeCloseTo(2, 12);
    expect(s[1]).toBeCloseTo((0.5 * 0.5 * 2 + 0.5 * 4) / (1 - 0.25), 12);
    expect([...debiasedEma([1, 2, 3], 0)]).toEqual([1, 2, 3]);
  });

  it('does not let a diverged (NaN) step poison later smoothed values', () => {
    const s = debiasedEma([1, NaN, 1], 0.9);
    expect(Number.isNaN(s[1])).toBe(true);
    expect(s[2]).toBeCloseTo(1, 12);
  });

  it('reduces 30,000 steps onto a shared bucket grid that ends at the last step', () => {
    const steps = Array.from({ length: 30_000 }, (_, i) => i + 1);
    const width = bucketWidth(30_000, 300);
    const points = downsample(steps, steps, width, 'mean');
    expect(points.size).toBe(300);
    expect([...points.keys()].at(-1)).toBe(30_000);
    expect(points.get(100)).toBeCloseTo(50.5, 12);
    const last = downsample([1, 2, 3], [5, 6, 7], 2, 'last');
    expect([...last]).toEqual([[2, 6], [4, 7]]);
    const rows = mergeSeries(new Map([['a', new Map([[2, 1], [4, 2]])], ['b', new Map([[4, 3]])]]));
    expect(rows).toEqual([{ x: 2, a: 1 }, { x: 4, a: 2, b: 3 }]);
    expect(formatStep(30_000)).toBe('30k');
  });

  it('gives axes nice ticks, also for a flat series', () => {
    expect(niceAxis(0, 30_000, 5, true).ticks).toEqual([0, 10_000, 20_000, 30_000]);
    const flat = niceAxis(0.34, 0.34, 4);
    expect(flat.domain[0]).toBeLessThan(0.34);
    expect(flat.domain[1]).toBeGreaterThan(0.34);
  });

  it('gives the efficiency chart a log axis at 1-2-5 marks around the trainable shares', () => {
    expect(logAxis(4.96, 9.76)).toEqual({ domain: [2, 10], ticks: [2, 5, 10] });
    expect(logAxis(0.08, 100)).toEqual({ domain: [0.05, 100], ticks: [0.05, 0.1, 1, 10, 100] });
    expect(logAxis(5, 5)).toEqual({ domain: [2, 10], ticks: [2, 5, 10] });
  });
});

describe('share links', () => {
  it('round-trips a run configuration through #cfg=v1.<base64url>', () => {
    const c = config({ methods: [{ type: 'lora', r: 64, alpha: 256 }, { type: 'adapter', placement: 'ffn', size: 384 }] }, { lr: 3e-5 });
    const hash = encodeShareHash({ ...c, dataset: 'données ✓.jsonl' });
    expect(hash).toMatch(/^#cfg=v1\.[A-Za-z0-9_-]+$/);
    const decoded = decodeShareHash(hash);
    expect(decoded?.ok).toBe(true);
    const back = parseRunConfig(decoded?.ok ? decoded.json : null, codebert);
    expect(back).toEqual({ ...c, dataset: 'données ✓.jsonl' });
  });

  it('turns broken links into a message, and ignores hashes without a configuration', () => {
    expect(decodeShareHash('#section')).toBeNull();
    for (const hash of ['#cfg=v1.%%%', '#cfg=v9.abc', '#cfg=abc', `#cfg=v1.${'A'.repeat(MAX_SHARE_CHARS + 1)}`, '#cfg=v1.bm90IGpzb24']) {
      const d = decodeShareHash(hash);
      expect(d?.ok, hash).toBe(false);
      if (d && !d.ok) expect(d.message).toMatch(/^This share link is broken \(.+\), so no configuration was restored\./);
    }
  });

  it('refuses LoRA target patterns from links (no user regular expression is compiled)', () => {
    expect(unsafePatternIn({ peft: { methods: [{ type: 'lora', targets: '(a+)+$' }] } })).toMatch(/is a pattern/);
    expect(unsafePatternIn({ peft: { methods: [{ type: 'lora', targets: ['query', 'value'] }] } })).toBeNull();
  });
});

describe('presets', () => {
  it('every method preset and recipe preset is a valid run configuration for codebert-base', () => {
    for (const p of METHOD_PRESETS) expect(() => config(p.peft), p.id).not.toThrow();
    for (const r of RECIPE_PRESETS) expect(() => config({ methods: [{ type: 'full' }] }, r.recipe), r.id).not.toThrow();
  });

  it("matches the thesis' parameter budgets (Table 4.2: LoRA-64 and loFF are 1.88% and 7.52% of 125M)", () => {
    const pct = (id: string): number => {
      const plan = planPeft(codebert, config(METHOD_PRESETS.find((p) => p.id === id)!.peft).peft);
      return (100 * plan.paperTrainable) / plan.baseTotal;
    };
    expect(pct('LoRA-64')).toBeCloseTo(1.89, 2);
    expect(pct('Adapter-FFN-512')).toBeCloseTo(7.57, 2);
    expect(pct('loFF')).toBeCloseTo(7.57, 2);
    expect(pct('loFF_9-12')).toBeCloseTo(2.52, 2);
  });

  it('names methods the thesis way, layers 1-based', () => {
    const loff = config(METHOD_PRESETS.find((p) => p.id === 'loFF_9-12')!.peft);
    expect(methodLabel(loff.peft)).toBe('LoRA-64 + Adapter-FFN-384 (layers 9–12)');
    expect(parseLayerText('8-11')).toEqual([8, 9, 10, 11]);
    expect(parseLayerText('8,')).toEqual([8]);
    expect(parseLayerText('8-x')).toBe('8-x');
    expect(layerText([8, 9, 10, 11])).toBe('8-11');
  });
});

describe('sweeps', () => {
  it('expands values × seeds, keeping the LoRA scale alpha/r', () => {
    const base = config({ methods: [{ type: 'lora', r: 64, alpha: 256 }] });
    const points = expandSweep(base, 'lora.r', [32, 128], [1, 2]);
    expect(points.map((p) => p.label)).toEqual(['LoRA rank r = 32, seed 1', 'LoRA rank r = 32, seed 2', 'LoRA rank r = 128, seed 1', 'LoRA rank r = 128, seed 2']);
    const last = parseRunConfig(points[3]!.json, codebert);
    expect(last.peft.methods[0]).toMatchObject({ type: 'lora', r: 128, alpha: 512 });
    expect(last.recipe.seed).toBe(2);
    expect(parseValueList('32, 64 128;256')).toEqual([32, 64, 128, 256]);
    expect(parseValueList('32, x')).toBeNull();
  });
});

describe('memory plan (the engine planner, asked through the Worker protocol)', () => {
  const planRequest = (c: RunConfig, evalExamples: number) => ({ type: 'plan-memory', id: 7, model: codebert, peft: c.peft, recipe: c.recipe, evalExamples }) as const;

  it("answers plan-memory with the engine planner's numbers and the step's FLOPs, without the per-kind breakdown", async () => {
    const c = config({ methods: [{ type: 'lora', r: 64, alpha: 256 }] }, { batchSize: 16, codeLength: 256, nlLength: 128 });
    const answer = await planMemory(planRequest(c, 1000));
    const { breakdown, ...expected } = await planStepMemory(codebert, c.peft, c.recipe, { evalExamples: 1000 });
    expect(breakdown.length).toBeGreaterThan(0);
    const { flops } = await planStepCost(codebert, c.peft, c.recipe);
    expect(flops).toBeGreaterThan(0);
    expect(answer).toEqual({ type: 'memory-plan', id: 7, plan: { ...expected, flopsPerStep: flops } });
    if (answer.type !== 'memory-plan') throw new Error(answer.type);
    expect(answer.plan.weights + answer.plan.trainable + answer.plan.activations + answer.plan.scratch).toBe(answer.plan.total);
    expect(answer.plan.evaluation).toBeGreaterThan(0);
    const none = await planMemory(planRequest(c, 0));
    expect(none.type === 'memory-plan' && none.plan.evaluation).toBeNull();
  });

  it("answers with the planner's message when it cannot build the configuration", async () => {
    const c = config({ methods: [{ type: 'bitfit' }] });
    const answer = await planMemory({ ...planRequest(c, 0), recipe: { ...c.recipe, batchSize: 0 } });
    expect(answer).toMatchObject({ type: 'memory-plan-error', id: 7 });
    expect(answer.type === 'memory-plan-error' && answer.message).toMatch(/positive integer/);
  });

  it('names the largest buffer and warns when it exceeds the binding limit, with what would shrink it', async () => {
    const c = config({ methods: [{ type: 'full' }] }, { batchSize: 16, codeLength: 256, nlLength: 128 });
    const plan = await planStepMemory(codebert, c.peft, c.recipe);
    // Full fine-tuning: the flat parameter buffer (one of four equal ones) outweighs the word embeddings.
    expect(plan.largest).toEqual({ label: 'flat.params', bytes: plan.trainable / 4, category: 'trainable' });
    const [warning] = memoryWarnings(plan.largest, { maxStorageBufferBindingSize: 128 * 2 ** 20, maxBufferSize: 2 ** 31 });
    expect(warning).toMatch(/^The largest buffer, flat\.params, needs 47\d MiB, more than this GPU's maxStorageBufferBindingSize \(128 MiB\): it holds every trainable parameter/);
    expect(memoryWarnings(plan.largest, { maxStorageBufferBindingSize: 2 ** 31, maxBufferSize: 2 ** 31 })).toEqual([]);
    expect(memoryWarnings(plan.largest, null)).toEqual([]);
    // A large evaluation batch over many pairs: the score matrix is the largest, and the advice is about evaluation.
    const tiny = PRESETS.tiny;
    const t = parseRunConfig({ model: 'tiny', dataset: 'd', peft: { methods: [{ type: 'bitfit' }] }, recipe: { batchSize: 2, codeLength: 10, nlLength: 8, evalBatchSize: 64 } }, tiny);
    const evalPlan = await planStepMemory(tiny, t.peft, t.recipe, { evalExamples: 5000 });
    expect(evalPlan.largest).toEqual({ label: 'eval.scores', bytes: 64 * 5000 * 4, category: 'evaluation' });
    expect(memoryWarnings(evalPlan.largest, { maxStorageBufferBindingSize: 2 ** 20 })[0]).toMatch(/lower the evaluation batch or the validation limit\.$/);
  });
});

describe('memory planning on the page: debounced, stale answers dropped', () => {
  const c = config({ methods: [{ type: 'bitfit' }] });
  const request = (evalExamples: number) => ({ model: codebert, peft: c.peft, recipe: c.recipe, evalExamples });
  const fakePlan = (total: number) => ({ weights: total, trainable: 0, activations: 0, scratch: 0, total, evaluation: null, largest: { label: 'x', bytes: 1, category: 'weights' as const }, flopsPerStep: 1e9 });
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('asks once per settled configuration and shows only the newest answer', () => {
    const sent: Extract<WorkerRequest, { type: 'plan-memory' }>[] = [];
    const states: MemoryPlanState[] = [];
    const planner = new MemoryPlanner((r) => sent.push(r), (s) => states.push(s));
    planner.update(request(10));
    planner.update(request(20));
    expect(states.at(-1)).toEqual({ status: 'computing' });
    vi.advanceTimersByTime(PLAN_DEBOUNCE_MS - 1);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(sent.map((r) => r.evalExamples)).toEqual([20]);
    planner.update(request(20)); // the same configuration again: nothing to do
    expect(sent).toHaveLength(1);

    planner.update(request(30));
    planner.answer({ type: 'memory-plan', id: sent[0]!.id, plan: fakePlan(1) }); // for 20 pairs: stale
    expect(states.at(-1)).toEqual({ status: 'computing' });
    vi.advanceTimersByTime(PLAN_DEBOUNCE_MS);
    planner.answer({ type: 'memory-plan', id: sent[1]!.id, plan: fakePlan(2) });
    expect(states.at(-1)).toEqual({ status: 'done', plan: fakePlan(2), evalExamples: 30 });

    planner.update(request(40));
    vi.advanceTimersByTime(PLAN_DEBOUNCE_MS);
    planner.answer({ type: 'memory-plan-error', id: sent[2]!.id, message: 'no good' });
    expect(states.at(-1)).toEqual({ status: 'error', message: 'no good' });
    planner.update(null); // the configuration no longer validates
    expect(states.at(-1)).toEqual({ status: 'none' });
    expect(sent).toHaveLength(3);
  });
});

describe('runs table and exports', () => {
  it('groups runs that differ only by seed as mean ± std (population std)', () => {
    const runs = [run('a', 1, 0.3), run('b', 2, 0.4), run('c', 3, 0.2, { methods: [{ type: 'full' }] })];
    expect(seedGroupKey(runs[0]!.config)).toBe(seedGroupKey(runs[1]!.config));
    const rows = tableRows(runs, 'bestMrr', true);
    expect(rows.map((r) => (r.kind === 'group' ? 'group' : r.run.id))).toEqual(['group', 'a', 'b', 'c']);
    const group = rows[0]!;
    if (group.kind !== 'group') throw new Error('expected a group');
    expect(group.stats.bestMrr?.mean).toBeCloseTo(0.35, 12);
    expect(group.stats.bestMrr?.std).toBeCloseTo(0.05, 12);
    expect(meanStd([])).toBeNull();
    expect(formatBytesSpread(7.2 * 2 ** 20, 0)).toBe('7.2 ± 0.0 MiB');
  });

  it('writes CSV that spreadsheets read as data, never as formulas', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell(-1.5)).toBe('-1.5');
    const csv = runsCsv([run('a', 1, 0.3)]);
    expect(csv.split('\n')[0]!.split(',').slice(0, 4)).toEqual(['id', 'name', 'method', 'model']);
    const metrics = metricsCsv([{ id: 'a', step: [1], loss: [2], lr: [1e-5], gradNorm: [0.5], tokensPerS: [100], elapsedMs: [1500], stepsPerEpoch: 10, evals: [{ step: 1, mrr: 0.3, recall1: 0.1, recall5: 0.5, recall10: 0.9 }] }]);
    expect(metrics.trim().split('\n')).toEqual([
      'run_id,kind,step,elapsed_s,loss,lr,grad_norm,tokens_per_s,mrr,recall_1,recall_5,recall_10,accuracy,f1,macro_f1,auc',
      'a,step,1,1.5,2,0.00001,0.5,100,,,,,,,,',
      'a,eval,1,,,,,,0.3,0.1,0.5,0.9,,,,',
    ]);
    expect(csv.split('\n')[1]!.endsWith(',code-search,,,,,,,,')).toBe(true);
  });
});
