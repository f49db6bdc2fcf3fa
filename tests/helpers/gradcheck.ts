/**
 * Finite-difference check of a reference backward. The loss is L(x) = Σ forward(x) ⊙ w for a fixed random w,
 * so dL/dout = w is what the backward receives; every input element's central difference is compared with
 * the analytic gradient. Everything runs in float64.
 */
import { expectClose } from './compare';

export interface GradCase {
  /** Name of the input (for messages). */
  readonly name: string;
  /** The input tensor; it is perturbed in place and restored. */
  readonly value: Float64Array;
  /** The analytic gradient the backward produced for it. */
  readonly grad: Float64Array;
}

export function numericGrad(loss: () => number, x: Float64Array, h: number): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const saved = x[i]!;
    x[i] = saved + h;
    const up = loss();
    x[i] = saved - h;
    const down = loss();
    x[i] = saved;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Checks each case's analytic gradient against central differences of `loss`. */
export function expectGradients(op: string, loss: () => number, cases: readonly GradCase[], h = 1e-5, tol = 1e-6): void {
  for (const c of cases) {
    const numeric = numericGrad(loss, c.value, h);
    expectClose(c.grad, numeric, { atol: tol, rtol: tol * 10 }, `${op}: d/d${c.name}`);
  }
}
