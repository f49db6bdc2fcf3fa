/**
 * L2-regularized logistic regression for the layer probes, as scikit-learn's `LogisticRegression(C=…)` with the
 * lbfgs solver defines it: two classes — one weight vector and a bias, sigmoid; more classes — a weight vector
 * and a bias per class, softmax (multinomial); the objective C · Σ cross-entropy + ½‖W‖² (the biases are not
 * penalized), minimized by L-BFGS. Float64; features are used as given (the probe standardizes them first).
 */
import { minimizeLbfgs } from './lbfgs';

export interface LogisticModel {
  readonly classes: number;
  readonly features: number;
  /** (k × features), k = 1 for two classes, else one row per class. */
  readonly weights: Float64Array;
  readonly bias: Float64Array;
  readonly converged: boolean;
}

export interface FitOptions {
  /** Inverse regularization strength (scikit-learn's C). */
  readonly c: number;
  readonly maxIterations: number;
}

const FIT_DEFAULTS: FitOptions = { c: 1, maxIterations: 1000 };

/** Scores (n × k) = X Wᵀ + b for parameters packed as [W (k × d), b (k)]. */
function scores(params: Float64Array, x: ArrayLike<number>, n: number, d: number, k: number): Float64Array {
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let s = params[k * d + c]!;
      for (let j = 0; j < d; j++) s += x[i * d + j]! * params[c * d + j]!;
      out[i * k + c] = s;
    }
  }
  return out;
}

/** The error of each score, ∂loss/∂score, into `scores` in place; returns Σ cross-entropy. */
function lossAndErrors(z: Float64Array, labels: ArrayLike<number>, k: number): number {
  let loss = 0;
  for (let i = 0; i < labels.length; i++) {
    if (k === 1) {
      const t = labels[i] === 1 ? 1 : 0;
      const v = z[i]!;
      loss += Math.max(v, 0) - v * t + Math.log1p(Math.exp(-Math.abs(v))); // log(1 + e^v) − v·t, stably
      z[i] = 1 / (1 + Math.exp(-v)) - t;
      continue;
    }
    const row = z.subarray(i * k, (i + 1) * k);
    const max = row.reduce((m, v) => Math.max(m, v), -Infinity);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(row[c]! - max);
    loss += Math.log(sum) + max - row[labels[i]!]!;
    for (let c = 0; c < k; c++) row[c] = Math.exp(row[c]! - max) / sum - (c === labels[i] ? 1 : 0);
  }
  return loss;
}

export function fitLogisticRegression(x: ArrayLike<number>, labels: ArrayLike<number>, classes: number, options: Partial<FitOptions> = {}): LogisticModel {
  const { c, maxIterations } = { ...FIT_DEFAULTS, ...options };
  const n = labels.length;
  const d = x.length / n;
  if (classes < 2 || !Number.isInteger(d)) throw new RangeError(`fitLogisticRegression: ${x.length} values for ${n} examples; ${classes} classes`);
  const k = classes === 2 ? 1 : classes;
  const objective = (params: Float64Array, grad: Float64Array): number => {
    const z = scores(params, x, n, d, k);
    let value = c * lossAndErrors(z, labels, k);
    grad.fill(0);
    for (let i = 0; i < n; i++) {
      for (let cl = 0; cl < k; cl++) {
        const e = c * z[i * k + cl]!;
        for (let j = 0; j < d; j++) grad[cl * d + j]! += e * x[i * d + j]!;
        grad[k * d + cl]! += e;
      }
    }
    for (let w = 0; w < k * d; w++) {
      value += 0.5 * params[w]! * params[w]!;
      grad[w]! += params[w]!;
    }
    return value;
  };
  const result = minimizeLbfgs(objective, new Float64Array(k * d + k), { maxIterations, gradientTolerance: 1e-8 * Math.max(1, c * n) });
  return { classes, features: d, weights: result.x.slice(0, k * d), bias: result.x.slice(k * d), converged: result.converged };
}

/** Class probabilities (n × classes) for the rows of `x`. */
export function predictProbabilities(model: LogisticModel, x: ArrayLike<number>): Float64Array {
  const { classes, features: d } = model;
  const k = classes === 2 ? 1 : classes;
  const n = x.length / d;
  const z = scores(Float64Array.from([...model.weights, ...model.bias]), x, n, d, k);
  const out = new Float64Array(n * classes);
  for (let i = 0; i < n; i++) {
    if (k === 1) {
      const p = 1 / (1 + Math.exp(-z[i]!));
      out[i * 2] = 1 - p;
      out[i * 2 + 1] = p;
      continue;
    }
    const row = z.subarray(i * k, (i + 1) * k);
    const max = row.reduce((m, v) => Math.max(m, v), -Infinity);
    let sum = 0;
    for (let cl = 0; cl < k; cl++) sum += Math.exp(row[cl]! - max);
    for (let cl = 0; cl < k; cl++) out[i * classes + cl] = Math.exp(row[cl]! - max) / sum;
  }
  return out;
}
