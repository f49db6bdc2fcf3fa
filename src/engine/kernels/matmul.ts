import code from '../../../shaders/matmul.wgsl?raw';
import { resolveMatmulDims, type MatmulDims, type ResolvedMatmulDims } from '../../reference/matmul';
import { shapeError } from '../gpu/errors';
import type { Dispatch, Runtime } from '../gpu/runtime';
import { ceilDiv } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { expectNumel, expectPositive } from './check';
import { shaderWith } from './lib';

export type { MatmulDims };

// One kernel, two ways to store B: f32, or packed halves (frozen weights kept in 16 bits). The lib file
// supplies B's binding and reader; distinct names keep the two apart in the pipeline cache.
const SHADERS = { f32: shaderWith('matmul', code, 'matmul_b_f32'), f16: shaderWith('matmul_b16', code, 'matmul_b_f16') } as const;
const TILE = 64; // output tile edge, as in matmul.wgsl (TM = TN)
const MAX_GROUPS = 65535; // WebGPU's guaranteed workgroups per grid dimension

// WebGPU forbids binding one buffer as both writable and read-only storage in a dispatch, so a matmul
// without bias binds this 1-element stand-in (one per Runtime) instead of its output.
const noBias = new WeakMap<Runtime, Tensor>();

function dummyBias(rt: Runtime): Tensor {
  let t = noBias.get(rt);
  if (!t) {
    t = rt.tensor([1], 'matmul:no-bias');
    noBias.set(rt, t);
  }
  return t;
}

/**
 * C[b] = alpha · op(A[b]) · op(B[b]) (+ bias broadcast over rows) (+ C[b] when accumulating).
 * The linear forms: y = x·Wᵀ + b is `{ M: rows, N: out, K: in, transB: true }`, dx = dy·W is
 * `{ M: rows, N: in, K: out }`, dW += dyᵀ·x is `{ M: out, N: in, K: rows, transA: true, accumulate: true }`.
 * B may be a packed-f16 tensor (a frozen weight: both forms that read W take it as B); the rest are f32.
 */
export function matmul(rt: Runtime, out: Tensor, a: Tensor, b: Tensor, bias: Tensor | null, dims: MatmulDims): Dispatch {
  const d = resolveMatmulDims(dims);
  checkDims(d);
  for (const [name, t] of [['out', out], ['a', a], ['bias', bias]] as const) {
    if (t?.dtype === 'f16') throw shapeError('matmul', `${name} ${t.label} is packed f16; only B may be`);
  }
  expectExtent('a', a, d.strideA, d.M * d.K, d.batch);
  expectExtent('b', b, d.strideB, d.K * d.N, d.batch);
  expectExtent('out', out, d.strideC, d.M * d.N, d.batch);
  if (bias) expectNumel('matmul', 'bias', bias, d.N);
  return rt.kernel({
    shader: SHADERS[b.dtype === 'f16' ? 'f16' : 'f32'],
    entryPoint: 'matmul',
    constants: {
      M: d.M,
      N: d.N,
      K: d.K,
      STRIDE_A: d.strideA,
      STRIDE_B: d.strideB,
      STRIDE_C: d.strideC,
      TRANS_A: d.transA,
      TRANS_B: d.transB,
      HAS_BIAS: bias !== null,
      ACCUMULATE: d.accumulate,
      ALPHA: d.alpha,
    },
    bindings: [
      [out, 'write'],
      [a, 'read'],
      [b, 'read'],
      [bias ?? dummyBias(rt), 'read'],
    ],
    workgroups: [ceilDiv(d.N, TILE), ceilDiv(d.M, TILE), d.batch],
    flops: 2 * d.M * d.N * d.K * d.batch,
  });
}

function checkDims(d: ResolvedMatmulDims): void {
  expectPositive('matmul', { M: d.M, N: d.N, K: d.K, batch: d.batch });
  for (const [name, stride] of [['strideA', d.strideA], ['strideB', d.strideB], ['strideC', d.strideC]] as const) {
    if (!Number.isInteger(stride) || stride < 0) throw shapeError('matmul', `${name} must be a non-negative integer, got ${stride}`);
  }
  // Overlapping output batches would be written by several workgroups at once.
  if (d.batch > 1 && d.strideC < d.M * d.N) throw shapeError('matmul', `strideC ${d.strideC} overlaps output batches of ${d.M * d.N}`);
  if (!Number.isFinite(d.alpha)) throw shapeError('matmul', `alpha must be finite, got ${d.alpha}`);
  const grid = [ceilDiv(d.N, TILE), ceilDiv(d.M, TILE), d.batch];
  if (grid.some((g) => g > MAX_GROUPS)) throw shapeError('matmul', `grid (${grid.join(', ')}) exceeds ${MAX_GROUPS} workgroups per dimension`);
}

/** A batched operand spans exactly (batch - 1)·stride + one matrix (one matrix when broadcast). */
function expectExtent(name: string, t: Tensor, stride: number, size: number, batch: number): void {
  expectNumel('matmul', name, t, (batch - 1) * stride + size);
}
