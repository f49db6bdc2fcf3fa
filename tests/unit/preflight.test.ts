/**
 * Pre-flight (issue 12): before a run allocates anything, the planner's bytes are checked against the device's
 * buffer limits and the user's memory budget; a run that cannot fit is refused with the largest batch (then
 * lengths) that does — and that suggestion is the largest: one more does not fit.
 */
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../src/engine/model/config';
import { parsePeftConfig } from '../../src/engine/peft/parse';
import { planStepMemory } from '../../src/engine/plan/memory';
import { memoryProblems, preflight, type MemoryLimits } from '../../src/engine/plan/preflight';
import { DEFAULT_RECIPE } from '../../src/engine/train/run_config';

const codebert = PRESETS['microsoft/codebert-base'];
const lora = parsePeftConfig({ methods: [{ type: 'lora', r: 8, targets: ['query', 'value'] }] }, codebert);
const GiB = 2 ** 30;
const big = 2 ** 40;

describe('pre-flight', () => {
  it('a run within the limits and the budget passes', async () => {
    const r = await preflight(codebert, lora, { ...DEFAULT_RECIPE, batchSize: 8, codeLength: 128, nlLength: 64 }, { maxStorageBufferBindingSize: big, maxBufferSize: big, budget: 8 * GiB });
    expect(r.problems).toEqual([]);
    expect(r.fits).toBeNull();
  });

  it('over the memory budget: refused, with the largest batch that fits', async () => {
    const recipe = { ...DEFAULT_RECIPE, batchSize: 64, codeLength: 256, nlLength: 128 };
    const limits: MemoryLimits = { maxStorageBufferBindingSize: big, maxBufferSize: big, budget: 4 * GiB };
    const r = await preflight(codebert, lora, recipe, limits);
    expect(r.problems.join()).toMatch(/the run needs \d+ MiB at its peak, more than the memory budget of 4096 MiB/);
    const b = r.fits!.batchSize;
    expect(b).toBeGreaterThanOrEqual(2);
    expect(b).toBeLessThan(64);
    const plan = (batchSize: number) => planStepMemory(codebert, lora, { ...recipe, batchSize, evalBatchSize: Math.min(recipe.evalBatchSize, batchSize) });
    expect(memoryProblems(await plan(b), limits)).toEqual([]);
    expect(memoryProblems(await plan(b + 1), limits)).not.toEqual([]);
  });

  it("a buffer over the device's binding limit: refused; when even batch 2 is too big, shorter lengths", async () => {
    // A small vocabulary, so an activation (not the embedding table) is the largest buffer.
    const model = { ...codebert, vocabSize: 1000, layers: 2 };
    const peft = parsePeftConfig({ methods: [{ type: 'lora' }] }, model);
    const recipe = { ...DEFAULT_RECIPE, batchSize: 16, codeLength: 512, nlLength: 128 };
    const plan = await planStepMemory(model, peft, { ...recipe, batchSize: 2 });
    // A binding limit just under batch 2's largest buffer at these lengths.
    const limits: MemoryLimits = { maxStorageBufferBindingSize: plan.largest.bytes - 1, maxBufferSize: big, budget: null };
    const r = await preflight(model, peft, recipe, limits);
    expect(r.problems.join()).toMatch(/The largest buffer, .* more than this GPU's maxStorageBufferBindingSize \(\d+ MiB\): lower the batch size or the sequence lengths/);
    expect(r.fits?.batchSize).toBe(2);
    expect(r.fits!.codeLength).toBeLessThan(512);
  });

  it('nothing fits a budget of one byte: refused without a suggestion', async () => {
    const r = await preflight(codebert, lora, { ...DEFAULT_RECIPE, batchSize: 4, codeLength: 64, nlLength: 32 }, { maxStorageBufferBindingSize: big, maxBufferSize: big, budget: 1 });
    expect(r.problems).toHaveLength(1);
    expect(r.fits).toBeNull();
  });
});
