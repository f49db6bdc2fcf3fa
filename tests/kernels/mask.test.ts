import { describe, expect, it } from 'vitest';
import { mask } from '../../src/engine/kernels/mask';
import * as ref from '../../src/reference/mask';
import { expectClose } from '../helpers/compare';
import { testRuntime } from '../helpers/gpu';
import { dot, expectGradients } from '../helpers/gradcheck';
import { f64, randn, Rng } from '../helpers/random';

/** A 0/1 mask with about a third pruned. */
function zeroOnes(rng: Rng, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => (rng.next() < 1 / 3 ? 0 : 1));
}

describe('mask (pruning): x ← x ⊙ m', () => {
  it('as y = x ⊙ m, the reference backward (the same op on dy) matches finite differences', () => {
    const rng = new Rng(2);
    const n = 9;
    const x = f64(randn(rng, n));
    const m = f64(zeroOnes(rng, n));
    const w = f64(randn(rng, n));
    const loss = (): number => {
      const y = Float64Array.from(x);
      ref.mask(y, m, n);
      return dot(y, w);
    };
    const dx = Float64Array.from(w);
    ref.mask(dx, m, n);
    expectGradients('mask', loss, [{ name: 'x', value: x, grad: dx }]);
  });

  // 1, a prime, one past a workgroup, and one that needs the 2-D grid (more than 65535 workgroups).
  it.each([1, 13, 257, 256 * 65535 + 3])('GPU matches reference in place, n=%i', async (n) => {
    const rt = await testRuntime();
    const rng = new Rng(n + 5);
    const x = randn(rng, n);
    const m = zeroOnes(rng, n);
    const xt = rt.tensorFrom(x, [n], 'x');
    const [got] = await rt.run([mask(rt, xt, rt.tensorFrom(m, [n], 'm'))], [xt]);
    const want = Float32Array.from(x);
    ref.mask(want, m, n);
    expectClose(got!, want, { atol: 0, rtol: 0 }, 'mask');
    expect(got!.every((v, i) => m[i] === 1 || v === 0)).toBe(true);
    expect(rt.isLost).toBe(false);
  });

  it('refuses a mask of another size', async () => {
    const rt = await testRuntime();
    expect(() => mask(rt, rt.tensor([4], 'x'), rt.tensor([3], 'm'))).toThrow(/mask/);
  });
});
