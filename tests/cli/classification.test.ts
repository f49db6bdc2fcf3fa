/**
 * `lab train --task classification` as a user runs it, on the demo model: the bundled probing sample (real
 * standard-library functions) as single inputs (and `lab eval` of the run folder giving its best evaluation back), a pair file with text labels in a given class order, and the
 * refusals a wrong field, class list or weight list gets — each a message naming what to change, nothing written.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { lab, labOk } from '../helpers/lab_cli';
import { testRuntime } from '../helpers/gpu';

const MODEL = 'public/sample/model';
const SMALL = ['--steps', '2', '--batch-size', '4', '--code-length', '24', '--eval-batch-size', '8', '--software-gpu'];
let dir = '';
let probe = '';

beforeAll(async () => {
  await testRuntime();
  dir = mkdtempSync(join(tmpdir(), 'lab-cls-cli-'));
  probe = join(dir, 'probe.jsonl');
  writeFileSync(probe, readFileSync('public/sample/probe.jsonl', 'utf8').split('\n').slice(0, 24).join('\n'));
});

interface Eval {
  readonly type: string;
  readonly task?: string;
  readonly accuracy: number;
  readonly f1: number;
  readonly auc: number | null;
  readonly confusion: number[][];
  readonly best: boolean;
}

describe('lab train --task classification', () => {
  it('trains on a labelled file: classification evaluations, the classes in run_config.json, a peft SEQ_CLS adapter', async () => {
    const out = join(dir, 'single');
    const r = await labOk('train', '--model', MODEL, '--task', 'classification', '--label-field', 'syntactic_returns', '--best-metric', 'f1', '--train', probe, '--valid', probe, '--out', out, '--eval-every', '1', ...SMALL);
    expect(r.stderr).toMatch(/lab: 2 classes: "0" ×\d+, "1" ×\d+/);
    expect(r.stderr).toMatch(/eval @ 1 {2}acc \d\.\d{4} {2}P .* F1 .* AUC /);
    expect(r.stderr).toMatch(/the best-F1 weights/);
    const events = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Eval);
    const evals = events.filter((e) => e.type === 'eval');
    expect(evals).toHaveLength(2);
    for (const e of evals) {
      expect(e.task).toBe('classification');
      expect(e.confusion.flat().reduce((a, b) => a + b, 0)).toBe(24);
      expect(e.accuracy).toBeCloseTo((e.confusion[0]![0]! + e.confusion[1]![1]!) / 24, 12);
    }
    expect(events.at(-1)).toMatchObject({ type: 'done', best_metric: 'f1', best_mrr: null });
    const run = JSON.parse(readFileSync(join(out, 'run_config.json'), 'utf8')) as { task: unknown };
    expect(run.task).toEqual({ kind: 'classification', text: 'code', pair: null, label: 'syntactic_returns', classes: ['0', '1'], classWeights: 'none', bestMetric: 'f1' });
    const adapter = JSON.parse(readFileSync(join(out, 'adapter_config.json'), 'utf8')) as { task_type: string; modules_to_save: string[] };
    expect(adapter).toMatchObject({ task_type: 'SEQ_CLS', modules_to_save: ['classifier'] });
    // `eval` of the folder (the best weights, read back from the peft adapter) gives the best evaluation's numbers.
    const e = await labOk('eval', '--model', MODEL, '--adapter', out, '--data', probe, '--software-gpu');
    const best = evals.filter((x) => x.best).at(-1)!;
    expect(JSON.parse(e.stdout)).toMatchObject({ task: 'classification', classes: ['0', '1'], accuracy: best.accuracy, f1: best.f1, auc: best.auc, confusion: best.confusion, n: 24 });
  });

  it('reads pairs with text labels in the given class order; a validation label outside the classes is skipped and reported', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => ({ change: `x = ${i}\nreturn x`, message: i % 2 ? 'fix the bug' : 'add a feature', verdict: i % 3 ? 'clean' : 'buggy' }));
    const train = join(dir, 'pairs.jsonl');
    const valid = join(dir, 'pairs_valid.jsonl');
    writeFileSync(train, rows.map((r) => JSON.stringify(r)).join('\n'));
    writeFileSync(valid, [...rows.slice(0, 6), { change: 'y', message: 'z', verdict: 'unknown' }].map((r) => JSON.stringify(r)).join('\n'));
    const out = join(dir, 'pairs');
    const r = await labOk('train', '--model', MODEL, '--task', 'classification', '--text-field', 'change', '--pair-field', 'message', '--label-field', 'verdict', '--classes', 'clean,buggy', '--class-weights', 'balanced', '--train', train, '--valid', valid, '--out', out, ...SMALL);
    expect(r.stderr).toMatch(/2 classes: "clean" ×8, "buggy" ×4/);
    expect(r.stderr).toMatch(/pairs_valid\.jsonl: skipped 1 record\(s\) \(line 7: label "unknown" is not one of the classes\)/);
    const evals = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Eval).filter((e) => e.type === 'eval');
    expect(evals.at(-1)!.confusion.flat().reduce((a, b) => a + b, 0)).toBe(6);
  });

  it.each([
    [['--label-field', 'nothing_here'], /none of its 24 records could be used \(line 1: missing label field "nothing_here"/],
    [['--label-field', 'syntactic_returns', '--classes', 'a,b'], /has no usable labelled examples \(24 skipped\): check --text-field, --label-field and --classes/],
    [['--label-field', 'syntactic_returns', '--class-weights', '1,2,3'], /--class-weights: 3 class weights for 2 classes/],
    [['--label-field', 'syntactic_returns', '--best-metric', 'loss'], /task.bestMetric: must be one of/],
    [['--label-field', 'syntactic_returns', '--pair-field', 'code'], /task.pair: is the same field as text/],
  ])('refuses %j with a message and writes nothing', async (flags, message) => {
    const out = join(dir, `bad-${flags.join('-').replace(/\W/g, '')}`);
    const r = await lab('train', '--model', MODEL, '--task', 'classification', '--train', probe, '--out', out, ...flags, ...SMALL);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  it('a classification flag without --task classification is an error, not ignored', async () => {
    const r = await lab('train', '--model', MODEL, '--train', probe, '--out', join(dir, 'x'), '--label-field', 'syntactic_returns', ...SMALL);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--label-field is a classification flag: add --task classification/);
  });
});
