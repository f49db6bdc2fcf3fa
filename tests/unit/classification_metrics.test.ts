/**
 * Classification metrics against scikit-learn itself (the reference environment's `sklearn.metrics`): accuracy,
 * per-class and macro precision/recall/F1 with zero_division=0, the binary positive class's, AUC-ROC (binary and
 * one-vs-rest macro) and the confusion matrix, on seeded random cases with many tied scores, absent classes and
 * a class nothing is predicted as.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classificationMetrics, rocAuc, type ClassificationMetrics } from '../../src/engine/eval/classification_metrics';
import { python } from '../helpers/pyref';
import { Rng } from '../helpers/random';

interface Case {
  readonly classes: number;
  readonly logits: number[];
  readonly labels: number[];
}

function randomCase(rng: Rng, classes: number, n: number, options: { missing?: number; ties?: boolean } = {}): Case {
  const labels = Array.from({ length: n }, () => {
    let y = rng.int(0, classes);
    while (y === options.missing) y = rng.int(0, classes);
    return y;
  });
  // Integer logits make many rows tie (the AUC's tie rule matters); a bias toward the true class makes it learnable.
  const logits = labels.flatMap((y) => Array.from({ length: classes }, (_, c) => (options.ties ? rng.int(-2, 3) : rng.normal()) + (c === y ? 1 : 0)));
  return { classes, logits, labels };
}

const SKLEARN = `
import json, sys
import numpy as np
from sklearn import metrics as M
cases = json.load(open(sys.argv[1]))
out = []
for c in cases:
    k = c["classes"]; y = np.array(c["labels"]); z = np.array(c["logits"], dtype=np.float64).reshape(-1, k)
    e = np.exp(z - z.max(axis=1, keepdims=True)); p = e / e.sum(axis=1, keepdims=True)
    pred = z.argmax(axis=1); labels = list(range(k))
    P, R, F, S = M.precision_recall_fscore_support(y, pred, labels=labels, zero_division=0)
    r = dict(accuracy=M.accuracy_score(y, pred),
             precisionMacro=M.precision_score(y, pred, labels=labels, average="macro", zero_division=0),
             recallMacro=M.recall_score(y, pred, labels=labels, average="macro", zero_division=0),
             f1Macro=M.f1_score(y, pred, labels=labels, average="macro", zero_division=0),
             perClass=[dict(precision=a, recall=b, f1=f, support=int(s)) for a, b, f, s in zip(P, R, F, S)],
             confusion=M.confusion_matrix(y, pred, labels=labels).tolist())
    if k == 2:
        b = M.precision_recall_fscore_support(y, pred, labels=labels, pos_label=1, average="binary", zero_division=0)
        r["binary"] = dict(precision=b[0], recall=b[1], f1=b[2])
        r["aucRoc"] = M.roc_auc_score(y, p[:, 1]) if len(set(y.tolist())) == 2 else None
    else:
        r["binary"] = None
        r["aucRoc"] = M.roc_auc_score(y, p, multi_class="ovr", average="macro", labels=labels) if len(set(y.tolist())) == k else None
    out.append(r)
print(json.dumps(out))
`;

function sklearn(cases: readonly Case[]): ClassificationMetrics[] {
  const dir = mkdtempSync(join(tmpdir(), 'lab-metrics-'));
  writeFileSync(join(dir, 'cases.json'), JSON.stringify(cases));
  return JSON.parse(python('-c', [SKLEARN, join(dir, 'cases.json')])) as ClassificationMetrics[];
}

function expectClose(ours: ClassificationMetrics, theirs: ClassificationMetrics, what: string): void {
  const near = (a: number | null | undefined, b: number | null | undefined, field: string): void => {
    if (b === null || b === undefined) return void expect(a ?? null, `${what} ${field}`).toBeNull();
    expect(a, `${what} ${field}`).toBeCloseTo(b, 12);
  };
  for (const k of ['accuracy', 'precisionMacro', 'recallMacro', 'f1Macro', 'aucRoc'] as const) near(ours[k], theirs[k], k);
  for (const k of ['precision', 'recall', 'f1'] as const) near(ours.binary?.[k], theirs.binary?.[k] ?? null, `binary ${k}`);
  ours.perClass.forEach((p, c) => {
    for (const k of ['precision', 'recall', 'f1', 'support'] as const) near(p[k], theirs.perClass[c]![k], `class ${c} ${k}`);
  });
  expect(ours.confusion, `${what} confusion`).toEqual(theirs.confusion);
}

describe('classification metrics equal scikit-learn', () => {
  const rng = new Rng(20261206);
  const cases: [string, Case][] = [
    ['binary, 40 examples', randomCase(rng, 2, 40)],
    ['binary, tied scores', randomCase(rng, 2, 64, { ties: true })],
    ['binary, imbalanced (15% positive, as JIT-DP)', { ...randomCase(rng, 2, 60), labels: Array.from({ length: 60 }, (_, i) => (i % 7 === 0 ? 1 : 0)) }],
    ['binary, one class only (AUC undefined)', randomCase(rng, 2, 12, { missing: 1 })],
    ['3 classes, tied scores', randomCase(rng, 3, 50, { ties: true })],
    ['5 classes', randomCase(rng, 5, 80)],
    ['4 classes, one never true (AUC undefined, macro counts it with 0)', randomCase(rng, 4, 30, { missing: 2 })],
    ['binary, nothing predicted positive (zero division)', { classes: 2, labels: [0, 1, 0, 1, 1], logits: [1, 0, 2, 0, 1, 0.5, 3, 1, 2, 1] }],
  ];
  const theirs = sklearn(cases.map(([, c]) => c));

  it.each(cases.map(([name, c], i) => [name, c, i] as const))('%s', (name, c, i) => {
    expectClose(classificationMetrics(c.logits, c.labels, c.classes), theirs[i]!, name);
  });

  it('AUC counts tied scores half, and is null with one side empty', () => {
    expect(rocAuc([0.5, 0.5], (i) => i === 0)).toBe(0.5);
    expect(rocAuc([0.1, 0.9, 0.9], (i) => i > 0)).toBe(1);
    expect(rocAuc([0.1, 0.2], () => true)).toBeNull();
  });

  it('refuses scores and labels that do not fit together', () => {
    expect(() => classificationMetrics([0, 1, 2], [0], 2)).toThrow(RangeError);
    expect(() => classificationMetrics([0, 1], [2], 2)).toThrow(/label 2 of example 0 is not a class/);
  });
});
