import { describe, expect, it } from 'vitest';
import { add } from '../../src/engine/kernels/add';
import * as ref from '../../src/reference/add';
import { expectClose } from '../helpers/compare';
import { testRuntime } from '../helpers/gpu';
import { expectGradients, dot } from '../helpers/gradcheck';
import { f64, randn, Rng } from '../helpers/random';

describe('add', () => {
  it('reference backward matches finite differences', () => {
    const rng = new Rng(1);
    const n = 7;
    const a = f64(randn(rng, n));
    const b = f64(randn(rng, n));
    const w = f64(randn(rng, n));
    const out = new Float64Array(n);
    const loss = (): number => (ref.add(out, a, b, n), dot(out, w));
    const da = new Float64Array(n);
    const db = new Float64Array(n);
    ref.addBackward(da, db, w, n);
    expectGradients('add', loss, [
      { name: 'a', value: a, grad: da },
      { name: 'b', value: b, grad: db },
    ]);
  });

  // 1, a prime, one past a workgroup, and one that needs the 2-D grid (more than 65535 workgroups).
  it.each([1, 13, 257, 256 * 65535 + 3])('GPU matches reference, n=%i', async (n) => {
    const rt = await testRuntime();
    const rng = new Rng(n);
    const a = randn(rng, n);
    const b = randn(rng, n);
    const out = rt.tensor([n], 'out');
    const [got] = await rt.run([add(rt, out, rt.tensorFrom(a, [n], 'a'), rt.tensorFrom(b, [n], 'b'))], [out]);
    const want = new Float32Array(n);
    ref.add(want, a, b, n);
    expectClose(got!, want, { atol: 0, rtol: 0 }, 'add');
    expect(rt.isLost).toBe(false);
  });
});
