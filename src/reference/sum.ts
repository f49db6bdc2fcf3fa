import type { Vec } from './types';

/** out[0] = Σ inp, accumulated in float64. */
export function sum(out: Vec, inp: Vec, n: number): void {
  let acc = 0;
  for (let i = 0; i < n; i++) acc += inp[i]!;
  out[0] = acc;
}
