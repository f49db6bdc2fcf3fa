/** The curves' x-axis (src/app/lib/x_axis.ts) and the chart rows built on it (features/curves/chartData.ts). */
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../src/engine/model/config';
import { parseRunConfig } from '../../src/engine/train/run_config';
import { buildRows } from '../../src/app/features/curves/chartData';
import { emptyCurves, type RunCurves, type RunRecord } from '../../src/app/lib/run_types';
import { sortStored } from '../../src/app/lib/stored_runs';
import { formatSeconds, formatX, readoutLabel, xOfStep } from '../../src/app/lib/x_axis';

const codebert = PRESETS['microsoft/codebert-base'];

function run(id: string, batchSize: number): RunRecord {
  const config = parseRunConfig({ model: 'm', dataset: 'd', peft: { methods: [{ type: 'bitfit' }] }, recipe: { batchSize } }, codebert);
  return {
    id, name: id, createdAt: 0, config, method: 'BitFit', color: 0, status: 'done', trainable: null, totalSteps: 4, steps: 4,
    elapsedMs: 0, peakBytes: 0, best: null, final: null, failure: null, sweep: null,
  };
}

/** Four steps at `msPerStep`, an evaluation at step 2 and 4 (MRR = step / 10). */
function curves(id: string, msPerStep: number, stepsPerEpoch: number | null): RunCurves {
  const c = emptyCurves(id);
  for (const step of [1, 2, 3, 4]) {
    c.step.push(step);
    c.loss.push(5 - step);
    c.lr.push(1e-3);
    c.gradNorm.push(1);
    c.tokensPerS.push(100);
    c.elapsedMs.push(step * msPerStep);
  }
  c.stepsPerEpoch = stepsPerEpoch;
  c.evals = [2, 4].map((step) => ({ step, mrr: step / 10, recall1: 0, recall5: 0, recall10: 0 }));
  return c;
}

const xsOf = (rows: ReadonlyArray<Record<string, number>>, id: string): number[] => rows.filter((r) => r[id] !== undefined).map((r) => r.x!);

describe('curves x-axis', () => {
  const runs = [run('a', 8), run('b', 16)];
  const stored = new Map([['a', curves('a', 500, 4)], ['b', curves('b', 2000, 2)]]);
  const rowsOn = (axis: 'step' | 'epoch' | 'examples' | 'time') => buildRows(runs, (id) => stored.get(id), 0, 0, 'ema', axis);

  it('places steps, examples (step × batch), epochs (step / steps per epoch) and wall time (s)', () => {
    expect(xsOf(rowsOn('step').loss, 'a')).toEqual([1, 2, 3, 4]);
    expect(xsOf(rowsOn('examples').loss, 'b')).toEqual([16, 32, 48, 64]);
    expect(xsOf(rowsOn('epoch').loss, 'a')).toEqual([0.25, 0.5, 0.75, 1]);
    expect(xsOf(rowsOn('epoch').loss, 'b')).toEqual([0.5, 1, 1.5, 2]);
    expect(xsOf(rowsOn('time').loss, 'b')).toEqual([2, 4, 6, 8]);
  });

  it('puts each evaluation at its step on every axis (wall time: the step it follows)', () => {
    const mrrAt = (axis: 'examples' | 'time', id: string) => rowsOn(axis).mrr.filter((r) => r[id] !== undefined).map((r) => [r.x, r[id]]);
    expect(mrrAt('examples', 'a')).toEqual([[16, 0.2], [32, 0.4]]);
    expect(mrrAt('time', 'b')).toEqual([[4, 0.2], [8, 0.4]]);
  });

  it('keeps at most a few hundred points on fractional axes too, shared between runs', () => {
    const long = emptyCurves('long');
    for (let step = 1; step <= 3000; step++) {
      long.step.push(step);
      long.loss.push(1);
      long.lr.push(0);
      long.gradNorm.push(0);
      long.tokensPerS.push(0);
      long.elapsedMs.push(step * 37);
    }
    long.stepsPerEpoch = 1500;
    const both = new Map([...stored, ['long', long]]);
    const rows = buildRows([...runs, run('long', 8)], (id) => both.get(id), 0, 0, 'ema', 'epoch');
    expect(xsOf(rows.loss, 'long').length).toBeLessThanOrEqual(301);
    expect(xsOf(rows.loss, 'long').length).toBeGreaterThanOrEqual(120); // a round width: up to 2.5 × the finest
    expect(xsOf(rows.loss, 'long').at(-1)).toBeCloseTo(2, 9);
    // Run b's last point (epoch 2) lands on the same row as the long run's.
    expect(rows.loss.filter((r) => r.b !== undefined && r.long !== undefined).length).toBeGreaterThan(0);
  });

  it('leaves out, and counts, runs stored before wall time and epochs were kept', () => {
    const old = JSON.parse(JSON.stringify(curves('a', 1, 4))) as Record<string, unknown>;
    delete old.elapsedMs;
    delete old.stepsPerEpoch;
    const { curves: read } = sortStored([runs[0]], [old]);
    expect(read[0]!.elapsedMs).toEqual([]);
    expect(read[0]!.stepsPerEpoch).toBeNull();
    const only = new Map([['a', read[0]!]]);
    const time = buildRows([runs[0]!], (id) => only.get(id), 0, 0, 'ema', 'time');
    expect(time.keys).toEqual([]);
    expect(time.left).toBe(1);
    expect(buildRows([runs[0]!], (id) => only.get(id), 0, 0, 'ema', 'step').left).toBe(0);
    expect(xOfStep('epoch', read[0]!, 8)).toBeNull();
  });

  it('formats each axis as people read it', () => {
    expect(formatX('examples', 48_000)).toBe('48k');
    expect(formatX('epoch', 1.5)).toBe('1.5');
    expect(formatSeconds(7.25)).toBe('7.3 s');
    expect(formatSeconds(185)).toBe('3:05');
    expect(formatSeconds(3729)).toBe('1:02:09');
    expect(readoutLabel('examples', 1600)).toBe('1,600 examples');
    expect(readoutLabel('epoch', 0.25)).toBe('epoch 0.25');
  });
});
