/**
 * The math of the layer analysis (issue 13) against its references: the logistic-regression probe against
 * scikit-learn's `LogisticRegression` (lbfgs, the same objective) — the same class probabilities on held-out
 * points — and linear CKA against the paper's feature-space formula evaluated by numpy, plus the invariances
 * the paper proves (orthogonal transforms and isotropic scaling) and the L-BFGS minimizer on Rosenbrock's valley.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { linearCka } from '../../src/engine/eval/cka';
import { minimizeLbfgs } from '../../src/engine/eval/lbfgs';
import { fitLogisticRegression, predictProbabilities } from '../../src/engine/eval/logistic_regression';
import { python } from '../helpers/pyref';
import { Rng } from '../helpers/random';

function matrix(rng: Rng, n: number, d: number): number[] {
  return Array.from({ length: n * d }, () => rng.normal());
}

/** Labels from a noisy linear rule over the features, so the probe has something to find. */
function labelled(rng: Rng, n: number, d: number, classes: number): { x: number[]; y: number[] } {
  const x = matrix(rng, n, d);
  const w = matrix(rng, classes, d);
  const y = Array.from({ length: n }, (_, i) => {
    let best = 0;
    let bestScore = -Infinity;
    for (let c = 0; c < classes; c++) {
      let s = rng.normal() * 0.5;
      for (let j = 0; j < d; j++) s += w[c * d + j]! * x[i * d + j]!;
      if (s > bestScore) [best, bestScore] = [c, s];
    }
    return best;
  });
  return { x, y };
}

function runPython(code: string, data: unknown): unknown {
  const dir = mkdtempSync(join(tmpdir(), 'lab-probe-'));
  writeFileSync(join(dir, 'in.json'), JSON.stringify(data));
  return JSON.parse(python('-c', [code, join(dir, 'in.json')]));
}

const SKLEARN_LR = `
import json, sys
import numpy as np
from sklearn.linear_model import LogisticRegression
out = []
for c in json.load(open(sys.argv[1])):
    d = c["d"]; X = np.array(c["x"]).reshape(-1, d); T = np.array(c["test"]).reshape(-1, d)
    m = LogisticRegression(C=c["C"], solver="lbfgs", max_iter=10000, tol=1e-12).fit(X, c["y"])
    out.append(m.predict_proba(T).ravel().tolist())
print(json.dumps(out))
`;

describe('the logistic-regression probe equals scikit-learn', () => {
  const rng = new Rng(7);
  const cases = [
    { name: 'two classes (one sigmoid)', classes: 2, d: 6, n: 80, C: 1 },
    { name: 'three classes (softmax)', classes: 3, d: 5, n: 90, C: 1 },
    { name: 'four classes, weak regularization', classes: 4, d: 8, n: 120, C: 10 },
    { name: 'two classes, strong regularization', classes: 2, d: 12, n: 40, C: 0.05 },
  ].map((c) => ({ ...c, ...labelled(rng, c.n, c.d, c.classes), test: matrix(rng, 10, c.d) }));
  const theirs = runPython(SKLEARN_LR, cases) as number[][];

  it.each(cases.map((c, i) => [c.name, c, i] as const))('%s: the same probabilities on held-out points', (_, c, i) => {
    const model = fitLogisticRegression(c.x, c.y, c.classes, { c: c.C });
    expect(model.converged).toBe(true);
    const ours = predictProbabilities(model, c.test);
    expect(ours.length).toBe(theirs[i]!.length);
    ours.forEach((p, j) => expect(p, `probability ${j}`).toBeCloseTo(theirs[i]![j]!, 5));
  });
});

const NUMPY_CKA = `
import json, sys
import numpy as np
out = []
for c in json.load(open(sys.argv[1])):
    X = np.array(c["x"]).reshape(c["n"], -1); Y = np.array(c["y"]).reshape(c["n"], -1)
    X = X - X.mean(0); Y = Y - Y.mean(0)
    out.append(float(np.linalg.norm(Y.T @ X) ** 2 / (np.linalg.norm(X.T @ X) * np.linalg.norm(Y.T @ Y))))
print(json.dumps(out))
`;

describe('linear CKA', () => {
  const rng = new Rng(11);
  const n = 40;
  const base = matrix(rng, n, 16);
  // Related representations: a random linear map of `base` plus noise, in another width.
  const mixed = Array.from({ length: n * 12 }, (_, k) => {
    const [i, j] = [Math.floor(k / 12), k % 12];
    return base[i * 16 + j]! * 0.8 + base[i * 16 + ((j * 5) % 16)]! * 0.3 + rng.normal() * 0.4;
  });
  const unrelated = matrix(rng, n, 16);

  it('equals the feature-space formula ‖YᵀX‖²_F / (‖XᵀX‖_F ‖YᵀY‖_F) computed by numpy', () => {
    const cases = [
      { n, x: base, y: mixed, dx: 16, dy: 12 },
      { n, x: base, y: unrelated, dx: 16, dy: 16 },
      { n, x: mixed, y: base, dx: 12, dy: 16 },
    ];
    const theirs = runPython(NUMPY_CKA, cases) as number[];
    cases.forEach((c, i) => expect(linearCka(c.x, c.dx, c.y, c.dy)).toBeCloseTo(theirs[i]!, 12));
  });

  it('is 1 for the same representation rotated, scaled and shifted, symmetric, and lower for unrelated ones', () => {
    // A rotation in the plane of features 0 and 1, then scaling by 3 and a shift.
    const [c, s] = [Math.cos(0.7), Math.sin(0.7)];
    const moved = base.map((v, k) => {
      const [i, j] = [Math.floor(k / 16), k % 16];
      const r = j === 0 ? c * v - s * base[i * 16 + 1]! : j === 1 ? s * base[i * 16]! + c * v : v;
      return 3 * r + 5;
    });
    expect(linearCka(base, 16, moved, 16)).toBeCloseTo(1, 12);
    expect(linearCka(base, 16, mixed, 12)).toBeCloseTo(linearCka(mixed, 12, base, 16), 12);
    expect(linearCka(base, 16, mixed, 12)).toBeGreaterThan(linearCka(base, 16, unrelated, 16));
    expect(linearCka(base, 16, unrelated, 16)).toBeLessThan(0.6);
  });

  it('refuses representations of different inputs', () => {
    expect(() => linearCka(base, 16, matrix(rng, n + 1, 16), 16)).toThrow(RangeError);
  });
});

describe('L-BFGS', () => {
  it("finds the minimum of Rosenbrock's valley at (1, 1)", () => {
    const rosenbrock = (x: Float64Array, g: Float64Array): number => {
      const [a, b] = [x[0]!, x[1]!];
      g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
      g[1] = 200 * (b - a * a);
      return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
    };
    const r = minimizeLbfgs(rosenbrock, Float64Array.from([-1.2, 1]), { gradientTolerance: 1e-10 });
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBeCloseTo(1, 6);
    expect(r.x[1]).toBeCloseTo(1, 6);
  });
});
