/**
 * `npm run bench -- --tune` on SwiftShader through the functions the command calls, and the tuning table's
 * way into a runtime. No timing is asserted; what is asserted is that the tuner sees the step's real matmul
 * shapes, times every tile on each, writes a table the loaders accept, and that a loaded table changes which
 * shader a matmul runs (and nothing else: every tile's results are checked in tests/kernels/matmul.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { runTune, tunedShapes } from '../../src/bench/tune';
import { QUICK_SCALE } from '../../src/bench/methods';
import { matmul } from '../../src/engine/kernels/matmul';
import { MATMUL_TILE_IDS, parseMatmulTuning, setMatmulTuning } from '../../src/engine/kernels/matmul_tiles';
import { testRuntime } from '../helpers/gpu';

describe('matmul tuning', () => {
  it('finds the LoRA step\'s matmul shapes: the base linears and the rank-r branch, forward and backward', async () => {
    const { batchSize: B, codeLength: T } = QUICK_SCALE.recipe;
    const C = QUICK_SCALE.model.hidden;
    const I = QUICK_SCALE.model.intermediate;
    const r = QUICK_SCALE.loraRank;
    const keys = (await tunedShapes({ quick: true, methods: ['lora'] })).map((s) => s.key);
    const rows = B * T;
    for (const key of [
      `NT:${rows}x${C}x${C}`, // q/k/v forward
      `NT:${rows}x${I}x${C}`, // FFN up
      `NN:${rows}x${C}x${I}`, // FFN down, input gradient
      `NT:${rows}x${r}x${C}`, // h = x·Aᵀ
      `TN:${r}x${C}x${rows}`, // dA += dhᵀ·x
    ]) {
      expect(keys).toContain(key);
    }
    expect(keys).not.toContain(`TN:${C}x${C}x${rows}`); // frozen base weights get no weight gradient
  });

  it('times every tile on every shape and writes a table the loader accepts', async () => {
    const rt = await testRuntime();
    const report = await runTune(rt, { quick: true, methods: ['bitfit'] }, null, () => undefined);
    expect(report.shapes.length).toBeGreaterThan(0);
    for (const s of report.shapes) {
      expect(Object.keys(s.tiles).sort()).toEqual([...MATMUL_TILE_IDS].sort());
      expect(s.speedup).toBeGreaterThanOrEqual(1);
      expect(report.tiles[s.key] ?? 't64').toBe(s.best);
    }
    const loaded = parseMatmulTuning(JSON.parse(JSON.stringify(report)), 'report');
    expect(loaded).toEqual({ adapter: report.adapter, tiles: report.tiles });
  });

  it('a loaded table picks the shader per shape; other shapes keep the default', async () => {
    const rt = await testRuntime();
    const t = (n: number) => rt.tensor([n], 't');
    setMatmulTuning(rt, { adapter: 'test', tiles: { 'NT:7x13x5': 't128' } });
    try {
      expect(matmul(rt, t(91), t(35), t(65), null, { M: 7, N: 13, K: 5, transB: true }).pipeline.label).toBe('matmul_t128:matmul');
      expect(matmul(rt, t(91), t(35), t(65), null, { M: 7, N: 13, K: 5 }).pipeline.label).toBe('matmul:matmul');
    } finally {
      setMatmulTuning(rt, null);
    }
  });

  it('rejects tables with unknown tiles or malformed shape keys, naming the file', () => {
    expect(() => parseMatmulTuning({ adapter: 'x', tiles: { 'NT:1x2x3': 't999' } }, 'f.json')).toThrow(/f\.json: unknown tile "t999"/);
    expect(() => parseMatmulTuning({ adapter: 'x', tiles: { '1x2x3': 't32' } }, 'f.json')).toThrow(/not a shape key/);
    expect(() => parseMatmulTuning([], 'f.json')).toThrow(/adapter/);
  });
});
