/** Parallel coordinates of a sweep (src/engine/report/parallel_coords.ts). */
import { describe, expect, it } from 'vitest';
import { parallelCoordinates } from '../../src/engine/report/parallel_coords';

const run = (id: string, lr: number, r: number, method: string, seed: number, metric: number | null) => ({
  id, name: id, metric, method: `${method}-${r}`,
  config: { model: 'demo', dataset: 'train.jsonl', peft: { methods: [{ type: method, r }] }, recipe: { lr, batchSize: 8, seed } },
});

describe('parallel coordinates', () => {
  const runs = [run('a', 1e-5, 8, 'lora', 1, 0.2), run('b', 1e-3, 64, 'lora', 1, 0.4), run('c', 1e-4, 8, 'adapter', 2, 0.3), run('d', 1e-4, 8, 'lora', 2, null)];
  const { axes, lines } = parallelCoordinates(runs, 'MRR');

  it('has an axis per differing field, then the metric; runs without a metric are left out', () => {
    // Methods of different kinds: one `method` axis instead of each method's own fields.
    expect(axes.map((a) => a.label)).toEqual(['method', 'lr', 'seed', 'MRR']);
    expect(lines.map((l) => l.id)).toEqual(['a', 'b', 'c']);
    const loras = parallelCoordinates([runs[0]!, runs[1]!, run('e', 1e-4, 16, 'lora', 1, 0.3)], 'MRR');
    expect(loras.axes.map((a) => a.label)).toEqual(['methods[0].r', 'lr', 'MRR']);
    expect(loras.axes[0]!.ticks.map((t) => t.label)).toEqual(['8', '16', '64']);
  });

  it('puts learning rates on a log axis, small ranges on a linear one, words in first-seen order', () => {
    const byLabel = new Map(axes.map((a, i) => [a.label, i]));
    const at = (id: string, axis: string) => lines.find((l) => l.id === id)!.at[byLabel.get(axis)!];
    expect(axes[byLabel.get('lr')!]!.kind).toBe('log');
    expect(at('a', 'lr')).toBe(0);
    expect(at('c', 'lr')).toBeCloseTo(0.5, 12); // 1e-4 is halfway between 1e-5 and 1e-3 in log space
    expect(at('b', 'lr')).toBe(1);
    expect(axes[byLabel.get('seed')!]!.kind).toBe('linear');
    expect(axes[byLabel.get('method')!]!.ticks).toEqual([{ label: 'lora-8', at: 0 }, { label: 'lora-64', at: 0.5 }, { label: 'adapter-8', at: 1 }]);
    expect(axes.at(-1)!.ticks.map((t) => t.label)).toEqual(['20.00', '30.00', '40.00']);
    expect(parallelCoordinates([run('s', 1e-4, 8, 'lora', 123_456, 0.1), run('t', 1e-4, 8, 'lora', 654_321, 0.2)], 'MRR').axes[0]!.ticks.map((t) => t.label)).toEqual(['123456', '654321']);
    expect(at('c', 'MRR')).toBeCloseTo(0.5, 12);
    expect(at('b', 'MRR')).toBe(1);
  });

  it('draws nothing for fewer than two scored runs', () => {
    expect(parallelCoordinates([runs[0]!], 'MRR')).toEqual({ axes: [], lines: [] });
  });
});
