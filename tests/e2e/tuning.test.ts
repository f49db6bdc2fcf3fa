/**
 * The Worker's 'tune-matmul' handler in Node on SwiftShader, with the demo model's shape: it finds the
 * configuration's matmul shapes, times every tile on each on a device of its own, posts progress shape by
 * shape and answers with a table the loaders accept. Also the page's side: the table is filed by adapter in
 * localStorage and one measured on another adapter is ignored (by the page and by a run's runtime).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMatmulTuning } from '../../src/engine/kernels/matmul_tiles';
import { configFromHf } from '../../src/engine/model/config';
import { stepMatmulShapes } from '../../src/engine/plan/matmul_shapes';
import { parseRunConfig } from '../../src/engine/train/run_config';
import { adapterKey } from '../../src/engine/tune/adapter_key';
import { applyMatmulTuning } from '../../src/engine/tune/matmul_tune';
import { nodeGpuInstance } from '../../src/engine/gpu/node';
import { loadTuning, saveTuning, tuningStorageKey, tuningSummaryText } from '../../src/app/lib/tuning_storage';
import type { TuneAnswer } from '../../src/app/worker/protocol';
import { KernelTuner } from '../../src/app/worker/tune_matmul';
import { testRuntime } from '../helpers/gpu';

const demo = configFromHf(JSON.parse(readFileSync('public/sample/model/config.json', 'utf8')));
// The smallest step that still has every kind of matmul: SwiftShader times each tile for real.
const tiny = { batchSize: 2, codeLength: 8, nlLength: 8, evalBatchSize: 2 };
const config = parseRunConfig({ model: 'demo', dataset: 'x', peft: { methods: [{ type: 'lora', r: 4, alpha: 16 }] }, recipe: tiny }, demo);

function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (k) => items.get(k) ?? null,
    key: (i) => [...items.keys()][i] ?? null,
    removeItem: (k) => void items.delete(k),
    setItem: (k, v) => void items.set(k, v),
  };
}

describe("the Worker's tune-matmul handler", () => {
  it('times every shape of the configuration and answers with a table the loaders accept', async () => {
    await testRuntime(); // sets up SwiftShader and Dawn's instance flags for this process
    const posted: TuneAnswer[] = [];
    await new KernelTuner().tune({ type: 'tune-matmul', model: demo, peft: config.peft, recipe: config.recipe }, { gpu: nodeGpuInstance(), post: (m) => posted.push(m), busy: () => false });
    const done = posted.at(-1);
    if (done?.type !== 'tune-done') throw new Error(JSON.stringify(done));
    const shapes = await stepMatmulShapes(demo, config.peft, config.recipe);
    const progress = posted.filter((m) => m.type === 'tune-progress');
    expect(progress.map((m) => m.done)).toEqual(shapes.map((_, i) => i));
    expect(new Set(progress.map((m) => m.shape))).toEqual(new Set(shapes.map((s) => s.key)));
    expect(done.summary).toMatchObject({ shapes: shapes.length, faster: Object.keys(done.tuning.tiles).length });
    expect(done.summary.maxSpeedup).toBeGreaterThanOrEqual(1);
    const table = parseMatmulTuning(JSON.parse(JSON.stringify(done.tuning)), 'answer');
    expect(table).toEqual(done.tuning);
    for (const key of Object.keys(table.tiles)) expect(shapes.map((s) => s.key)).toContain(key);
    expect(table.adapter).toBe(adapterKey((await testRuntime()).adapter));
    expect(tuningSummaryText(done.summary)).toMatch(/matmul shapes/);

    // Filed by adapter: the page finds it for this adapter only.
    const storage = memoryStorage();
    saveTuning(storage, { tuning: table, summary: done.summary });
    expect(storage.getItem(tuningStorageKey(table.adapter))).not.toBeNull();
    expect(loadTuning(storage, table.adapter)).toEqual({ tuning: table, summary: done.summary });
    expect(loadTuning(storage, 'Another GPU')).toBeNull();
  }, 300_000);

  it('refuses while a run trains, and a run starting stops a tuning in flight', async () => {
    const request = { type: 'tune-matmul', model: demo, peft: config.peft, recipe: config.recipe } as const;
    const posted: TuneAnswer[] = [];
    await new KernelTuner().tune(request, { gpu: nodeGpuInstance(), post: (m) => posted.push(m), busy: () => true });
    expect(posted).toEqual([{ type: 'tune-error', message: expect.stringMatching(/run is training/) }]);

    const tuner = new KernelTuner();
    const stopped: TuneAnswer[] = [];
    const first = new Promise<void>((resolve) => {
      void tuner.tune(request, { gpu: nodeGpuInstance(), post: (m) => (stopped.push(m), m.type === 'tune-progress' && resolve()), busy: () => false });
    });
    await first;
    await tuner.stop();
    expect(stopped.at(-1)).toEqual({ type: 'tune-cancelled' });
  }, 300_000);

  it("a run's runtime takes a table only when it was measured on the same adapter", async () => {
    const rt = await testRuntime();
    expect(applyMatmulTuning(rt, { adapter: 'Another GPU', tiles: {} })).toBe(false);
    expect(applyMatmulTuning(rt, null)).toBe(false);
    expect(applyMatmulTuning(rt, { adapter: adapterKey(rt.adapter), tiles: {} })).toBe(true);
    applyMatmulTuning(rt, null);
  });
});
