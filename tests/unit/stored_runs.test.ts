import { describe, expect, it } from 'vitest';
import { runRecordProblem, sortStored } from '../../src/app/lib/stored_runs';

const good = {
  id: 'a',
  name: 'run',
  createdAt: 2,
  config: { model: 'm', dataset: 'd', peft: { methods: [{ type: 'lora' }] }, recipe: {} },
  method: 'LoRA-8',
  color: 1,
  status: 'done',
  trainable: null,
  totalSteps: null,
  steps: 0,
  elapsedMs: 0,
  peakBytes: 0,
  best: null,
  final: { step: 1, mrr: 0.5, recall1: 0, recall5: 1, recall10: 1 },
  failure: null,
  sweep: null,
};

describe('stored run records', () => {
  it.each([
    [{ id: 'x' }, /id, name, method or createdAt missing/],
    [{ ...good, config: null }, /configuration is missing or damaged/],
    [{ ...good, config: { ...good.config, peft: { methods: [{ type: 'constructor' }] } } }, /configuration/],
    [{ ...good, status: 'flying' }, /unknown status "flying"/],
    [{ ...good, best: { step: 'one' } }, /best is damaged/],
    [null, /not an object/],
  ])('names what is wrong with %j', (value, problem) => {
    expect(runRecordProblem(value)).toMatch(problem);
  });

  it('keeps the good records (sorted), drops curves of unknown runs, and lists the rest', () => {
    const sorted = sortStored([{ ...good, id: 'b', createdAt: 5 }, { id: 'x' }, good], [{ id: 'a', step: [1], loss: [2], lr: [0], gradNorm: [1], tokensPerS: [1], evals: [] }, { id: 'x', step: 'no' }]);
    expect(sorted.runs.map((r) => r.id)).toEqual(['a', 'b']);
    expect(sorted.curves.map((c) => c.id)).toEqual(['a']);
    expect(sorted.unreadable).toHaveLength(1);
  });
});
