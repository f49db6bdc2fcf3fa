/**
 * CPU twin of matmul.wgsl, and the linear layer built from it: y = x·Wᵀ + b with W stored (out, in),
 * PyTorch-style. Sums run in float64 whatever the output type, so a Float32Array output is rounded once.
 */
import type { Activation } from '../ops/activation';
import { resolveMatmulDims, type MatmulDims } from '../ops/matmul';
import { activate, activateGrad } from './activation';
import { biasBackward } from './bias_backward';
import type { Vec } from './types';

export { resolveMatmulDims, type MatmulDims, type ResolvedMatmulDims } from '../ops/matmul';

export interface MatmulEpilogue {
  readonly kind: 'activation' | 'activation-backward';
  readonly act: Activation;
  readonly aux: Vec;
}

/** C[b] = alpha · op(A[b]) · op(B[b]) (+ bias[n]) (+ C[b] when accumulating), then the epilogue if any. */
export function matmul(out: Vec, a: Vec, b: Vec, bias: Vec | null, dims: MatmulDims, epilogue: MatmulEpilogue | null = null): void {
  const d = resolveMatmulDims(dims);
  const { M, N, K } = d;
  for (let batch = 0; batch < d.batch; batch++) {
    const oa = batch * d.strideA;
    const ob = batch * d.strideB;
    const oc = batch * d.strideC;
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let sum = 0;
        for (let k = 0; k < K; k++) {
          const av = a[oa + (d.transA ? k * M + m : m * K + k)]!;
          const bv = b[ob + (d.transB ? n * K + k : k * N + n)]!;
          sum += av * bv;
        }
        let v = d.alpha * sum;
        if (bias) v += bias[n]!;
        const idx = oc + m * N + n;
        if (d.accumulate) v += out[idx]!;
        out[idx] = epilogue ? applyEpilogue(v, idx, epilogue) : v;
      }
    }
  }
}

function applyEpilogue(v: number, idx: number, e: MatmulEpilogue): number {
  if (e.kind === 'activation-backward') return v * activateGrad(e.aux[idx]!, e.act);
  e.aux[idx] = v;
  return activate(v, e.act);
}

/** out (rows, outDim) = inp (rows, inDim) · weightᵀ (+ bias); weight is (outDim, inDim). */
export function linearForward(out: Vec, inp: Vec, weight: Vec, bias: Vec | null, rows: number, inDim: number, outDim: number): void {
  matmul(out, inp, weight, bias, { M: rows, N: outDim, K: inDim, transB: true });
}

/** dinp = dout·W (written); dweight += doutᵀ·inp; dbias += Σ_rows dout (skipped when null). */
export function linearBackward(
  dinp: Vec,
  dweight: Vec,
  dbias: Vec | null,
  dout: Vec,
  inp: Vec,
  weight: Vec,
  rows: number,
  inDim: number,
  outDim: number,
): void {
  matmul(dinp, dout, weight, null, { M: rows, N: inDim, K: outDim });
  matmul(dweight, dout, inp, null, { M: outDim, N: inDim, K: rows, transA: true, accumulate: true });
  if (dbias) biasBackward(dbias, dout, rows, outDim, true);
}
