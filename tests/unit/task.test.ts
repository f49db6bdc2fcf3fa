/**
 * The task field of a run configuration (src/engine/train/task.ts) and the loss weights it implies: defaults,
 * every refusal with its path, scikit-learn's balanced class weights, and the per-row weights that make the
 * cross-entropy PyTorch's class-weighted mean.
 */
import { describe, expect, it } from 'vitest';
import { lossRowWeights } from '../../src/engine/train/classification_objective';
import { CLASSIFICATION_DEFAULTS, classWeightValues, readTask } from '../../src/engine/train/task';

function read(json: unknown): { task: ReturnType<typeof readTask>; problems: string[] } {
  const problems: string[] = [];
  return { task: readTask(json, 'run.task', problems), problems };
}

describe('run.task', () => {
  it('is code search when absent (configurations from before tasks), classification with its defaults', () => {
    expect(read(undefined)).toEqual({ task: { kind: 'code-search' }, problems: [] });
    expect(read({ kind: 'classification' })).toEqual({ task: CLASSIFICATION_DEFAULTS, problems: [] });
    expect(read({ kind: 'classification', text: 'diff', pair: 'msg', label: 'buggy', classes: ['clean', 'buggy'], classWeights: [1, 5], bestMetric: 'auc' }).task).toEqual({
      kind: 'classification',
      text: 'diff',
      pair: 'msg',
      label: 'buggy',
      classes: ['clean', 'buggy'],
      classWeights: [1, 5],
      bestMetric: 'auc',
    });
  });

  it.each([
    [{ kind: 'regression' }, 'run.task.kind: must be one of'],
    [{ kind: 'code-search', label: 'x' }, 'run.task.label: is not a known field'],
    [{ kind: 'classification', pair: 'code' }, 'run.task.pair: is the same field as text'],
    [{ kind: 'classification', classes: ['a', 'a'] }, 'run.task.classes: must list at least two distinct'],
    [{ kind: 'classification', classWeights: [1, -2] }, 'run.task.classWeights: must be "none", "balanced" or a list'],
    [{ kind: 'classification', classWeights: 'inverse' }, 'run.task.classWeights'],
    [{ kind: 'classification', bestMetric: 'loss' }, 'run.task.bestMetric: must be one of'],
    [{ kind: 'classification', label: '' }, 'run.task.label: must be a record field name'],
    ['classification', 'run.task: must be a JSON object'],
  ])('refuses %j naming the field', (json, problem) => {
    expect(read(json).problems.join('\n')).toContain(problem);
  });
});

describe('class weights', () => {
  it("balanced is scikit-learn's n / (classes · count); a list is taken as given and must have one per class", () => {
    // compute_class_weight('balanced', classes=[0, 1, 2], y=[0, 0, 0, 1, 2, 2]) = [6/9, 6/3, 6/6]
    expect([...classWeightValues('balanced', [3, 1, 2])!]).toEqual([6 / 9, 2, 1]);
    expect(classWeightValues('none', [3, 1])).toBeNull();
    expect([...classWeightValues([1, 4], [3, 1])!]).toEqual([1, 4]);
    expect(() => classWeightValues([1, 4], [3, 1, 2])).toThrow(/2 class weights for 3 classes/);
  });

  it("give each row w[y] / Σ w[y]: PyTorch's weighted mean, and 1/B without weights", () => {
    expect([...lossRowWeights([0, 1, 1, 0], null)]).toEqual([0.25, 0.25, 0.25, 0.25]);
    const w = lossRowWeights([0, 1, 1, 0], [1, 3]);
    expect([...w].map((x) => Math.round(x * 1e6) / 1e6)).toEqual([0.125, 0.375, 0.375, 0.125]);
    expect([...lossRowWeights([0, 0], [0, 3])]).toEqual([0, 0]); // no weight at all: the batch adds nothing
  });
});
