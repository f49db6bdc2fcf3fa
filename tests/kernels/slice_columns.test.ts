import { describe, it } from 'vitest';
import { sliceColumns, sliceColumnsBackward } from '../../src/engine/kernels/slice_columns';
import * as ref from '../../src/reference/slice_columns';
import { expectClose } from '../helpers/compare';
import { testRuntime } from '../helpers/gpu';
import { dot, expectGradients } from '../helpers/gradcheck';
import { f64, randn, Rng } from '../helpers/random';

const EXACT = { atol: 0, rtol: 0 };

describe('slice_columns', () => {
  it('reference backward matches finite differences', () => {
    const rng = new Rng(5);
    const [rows, w, inW, off] = [3, 2, 7, 4];
    const inp = f64(randn(rng, rows * inW));
    const wts = f64(randn(rng, rows * w));
    const out = new Float64Array(rows * w);
    const loss = (): number => (ref.sliceColumns(out, inp, rows, w, inW, off), dot(out, wts));
    const dinp = new Float64Array(rows * inW);
    ref.sliceColumnsBackward(dinp, wts, rows, w, inW, off);
    expectGradients('slice_columns', loss, [{ name: 'inp', value: inp, grad: dinp }]);
  });

  // (rows, w, inW, off): single element, the last block, a prime width, a block past one workgroup.
  it.each([
    [1, 1, 1, 0],
    [3, 32, 128, 96],
    [7, 13, 41, 5],
    [5, 300, 601, 301],
  ])('GPU matches reference exactly, rows=%i w=%i inW=%i off=%i', async (rows, w, inW, off) => {
    const rt = await testRuntime();
    const rng = new Rng(rows * 31 + w);
    const inp = randn(rng, rows * inW);
    const dout = randn(rng, rows * w);
    const prior = randn(rng, rows * inW); // columns outside the block must keep these values
    const out = rt.tensor([rows, w], 'out');
    const dinp = rt.tensorFrom(prior, [rows, inW], 'dinp');
    const d = { rows, w, inW, off };
    const [gotOut, gotDinp] = await rt.run(
      [sliceColumns(rt, out, rt.tensorFrom(inp, [rows, inW], 'inp'), d), sliceColumnsBackward(rt, dinp, rt.tensorFrom(dout, [rows, w], 'dout'), d)],
      [out, dinp],
    );
    const wantOut = new Float32Array(rows * w);
    const wantDinp = Float32Array.from(prior);
    ref.sliceColumns(wantOut, inp, rows, w, inW, off);
    ref.sliceColumnsBackward(wantDinp, dout, rows, w, inW, off);
    expectClose(gotOut!, wantOut, EXACT, 'slice_columns');
    expectClose(gotDinp!, wantDinp, EXACT, 'slice_columns_backward');
  });
});
