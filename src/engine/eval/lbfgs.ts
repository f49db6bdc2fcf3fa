/**
 * Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., algorithm 7.4 with the two-loop
 * recursion 7.5 and the initial scaling 7.20) with a backtracking Armijo line search, for the small smooth convex
 * problems of the lab's linear probes (a few thousand variables). Float64 throughout.
 */

export interface Objective {
  /** The value at `x`; writes the gradient into `grad`. */
  (x: Float64Array, grad: Float64Array): number;
}

export interface LbfgsOptions {
  readonly maxIterations: number;
  /** Stop when the largest gradient component is below this (scikit-learn's lbfgs `tol` test, `pgtol`). */
  readonly gradientTolerance: number;
  readonly memory: number;
}

export interface LbfgsResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly iterations: number;
  readonly converged: boolean;
}

const DEFAULTS: LbfgsOptions = { maxIterations: 1000, gradientTolerance: 1e-8, memory: 10 };

const dot = (a: Float64Array, b: Float64Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

const maxAbs = (a: Float64Array): number => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** The search direction −H∇f from the stored pairs (s, y) by the two-loop recursion. */
function direction(grad: Float64Array, pairs: readonly { s: Float64Array; y: Float64Array; rho: number }[]): Float64Array {
  const q = Float64Array.from(grad);
  const alphas: number[] = [];
  for (let k = pairs.length - 1; k >= 0; k--) {
    const { s, y, rho } = pairs[k]!;
    const a = rho * dot(s, q);
    alphas[k] = a;
    for (let i = 0; i < q.length; i++) q[i]! -= a * y[i]!;
  }
  const last = pairs.at(-1);
  const gamma = last ? dot(last.s, last.y) / dot(last.y, last.y) : 1 / Math.max(1, Math.sqrt(dot(grad, grad)));
  for (let i = 0; i < q.length; i++) q[i]! *= gamma;
  for (let k = 0; k < pairs.length; k++) {
    const { s, y, rho } = pairs[k]!;
    const b = rho * dot(y, q);
    for (let i = 0; i < q.length; i++) q[i]! += s[i]! * (alphas[k]! - b);
  }
  for (let i = 0; i < q.length; i++) q[i] = -q[i]!;
  return q;
}

export function minimizeLbfgs(f: Objective, x0: Float64Array, options: Partial<LbfgsOptions> = {}): LbfgsResult {
  const o = { ...DEFAULTS, ...options };
  let x = Float64Array.from(x0);
  let grad = new Float64Array(x.length);
  let value = f(x, grad);
  const pairs: { s: Float64Array; y: Float64Array; rho: number }[] = [];
  for (let iteration = 0; iteration < o.maxIterations; iteration++) {
    if (maxAbs(grad) < o.gradientTolerance) return { x, value, iterations: iteration, converged: true };
    let d = direction(grad, pairs);
    let slope = dot(grad, d);
    if (!(slope < 0)) {
      pairs.length = 0; // not a descent direction (curvature information went stale): restart along −∇f
      d = grad.map((g) => -g);
      slope = -dot(grad, grad);
    }
    let step = 1;
    const next = new Float64Array(x.length);
    const nextGrad = new Float64Array(x.length);
    let nextValue = Infinity;
    for (let tries = 0; tries < 60; tries++, step *= 0.5) {
      for (let i = 0; i < x.length; i++) next[i] = x[i]! + step * d[i]!;
      nextValue = f(next, nextGrad);
      if (nextValue <= value + 1e-4 * step * slope) break;
    }
    if (!(nextValue <= value)) return { x, value, iterations: iteration, converged: false }; // no progress possible
    const s = next.map((v, i) => v - x[i]!);
    const y = nextGrad.map((g, i) => g - grad[i]!);
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      pairs.push({ s, y, rho: 1 / sy });
      if (pairs.length > o.memory) pairs.shift();
    }
    x = next;
    grad = nextGrad;
    value = nextValue;
  }
  return { x, value, iterations: o.maxIterations, converged: maxAbs(grad) < o.gradientTolerance };
}
