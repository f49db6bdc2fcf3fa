import code from '../../../shaders/matmul.wgsl?raw';
import { resolveMatmulDims, type MatmulDims, type ResolvedMatmulDims } from '../../ops/matmul';
import { shapeError } from '../gpu/errors';
import type { ShaderSource } from '../gpu/pipelines';
import type { Dispatch, Runtime } from '../gpu/runtime';
import { ceilDiv, MAX_GROUPS } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { ACTIVATION_CODE, ACTIVATION_FLOPS, type Activation } from './activation';
import { expectNumel, expectPositive } from './check';
import { WGSL_LIBS } from './lib';
import { MATMUL_TILES, matmulTileFor, tileHeader, type MatmulTileId } from './matmul_tiles';

export type { MatmulDims };


// One kernel, two ways to store B (f32, or packed halves: frozen weights kept in 16 bits) times the tile
// shapes. The lib file supplies B's binding and reader, the header the tile; the name keeps each apart in
// the pipeline cache.
const shaders = new Map<string, ShaderSource>();

function shaderFor(tile: MatmulTileId, b16: boolean): ShaderSource {
  const name = `matmul${b16 ? '_b16' : ''}${tile === 't64' ? '' : `_${tile}`}`;
  let s = shaders.get(name);
  if (!s) {
    const parts = [tileHeader(tile), WGSL_LIBS.activation, WGSL_LIBS[b16 ? 'matmul_b_f16' : 'matmul_b_f32'], code];
    s = { name, code: parts.join('\n') };
    shaders.set(name, s);
  }
  return s;
}

/** matmul.wgsl's fused epilogue (see MatmulEpilogue in the reference): aux is (like out) the pre-activation. */
export interface MatmulEpilogueOption {
  readonly kind: 'activation' | 'activation-backward';
  readonly act: Activation;
  readonly aux: Tensor;
}

export interface MatmulOptions {
  /** Force a tile shape (tests, the tuner); otherwise the runtime's tuning table decides. */
  readonly tile?: MatmulTileId;
  readonly epilogue?: MatmulEpilogueOption;
}

const EPILOGUE_CODE = { activation: 1, 'activation-backward': 2 } as const;

// WebGPU forbids binding one buffer as both writable and read-only storage in a dispatch, so a matmul
// without bias binds this 1-element stand-in (one per Runtime) instead of its output.
// The same goes for the epilogue's aux binding, which is writable: its stand-in is a second buffer.
const dummies = new WeakMap<Runtime, { bias: Tensor; aux: Tensor }>();

function dummy(rt: Runtime, which: 'bias' | 'aux'): Tensor {
  let d = dummies.get(rt);
  if (!d) {
    d = { bias: rt.tensor([1], 'matmul:no-bias'), aux: rt.tensor([1], 'matmul:no-aux') };
    dummies.set(rt, d);
  }
  return d[which];
}

/**
 * C[b] = alpha · op(A[b]) · op(B[b]) (+ bias broadcast over rows) (+ C[b] when accumulating).
 * The linear forms: y = x·Wᵀ + b is `{ M: rows, N: out, K: in, transB: true }`, dx = dy·W is
 * `{ M: rows, N: in, K: out }`, dW += dyᵀ·x is `{ M: out, N: in, K: rows, transA: true, accumulate: true }`.
 * B may be a packed-f16 tensor (a frozen weight: both forms that read W take it as B); the rest are f32.
 * An epilogue fuses an activation (forward: out = act(v), aux = v) or its backward (out = v ⊙ act'(aux)).
 */
export function matmul(rt: Runtime, out: Tensor, a: Tensor, b: Tensor, bias: Tensor | null, dims: MatmulDims, options: MatmulOptions = {}): Dispatch {
  const d = resolveMatmulDims(dims);
  const tile = matmulTileFor(rt, d, options.tile);
  const { TM, TN } = MATMUL_TILES[tile];
  checkDims(d, TM, TN);
  const ep = options.epilogue;
  if (ep) checkEpilogue(d, out, ep);
  for (const [name, t] of [['out', out], ['a', a], ['bias', bias]] as const) {
    if (t?.dtype === 'f16') throw shapeError('matmul', `${name} ${t.label} is packed f16; only B may be`);
  }
  expectExtent('a', a, d.strideA, d.M * d.K, d.batch);
  expectExtent('b', b, d.strideB, d.K * d.N, d.batch);
  expectExtent('out', out, d.strideC, d.M * d.N, d.batch);
  if (bias) expectNumel('matmul', 'bias', bias, d.N);
  return rt.kernel({
    shader: shaderFor(tile, b.dtype === 'f16'),
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
      EPILOGUE: ep ? EPILOGUE_CODE[ep.kind] : 0,
      ACT: ep ? ACTIVATION_CODE[ep.act] : 0,
    },
    bindings: [
      [out, 'write'],
      [a, 'read'],
      [b, 'read'],
      [bias ?? dummy(rt, 'bias'), 'read'],
      [ep?.aux ?? dummy(rt, 'aux'), 'write'],
    ],
    workgroups: [ceilDiv(d.N, TN), ceilDiv(d.M, TM), d.batch],
    flops: (2 * d.K + (ep ? ACTIVATION_FLOPS[ep.act] : 0)) * d.M * d.N * d.batch,
  });
}

function checkDims(d: ResolvedMatmulDims, TM: number, TN: number): void {
  expectPositive('matmul', { M: d.M, N: d.N, K: d.K, batch: d.batch });
  for (const [name, stride] of [['strideA', d.strideA], ['strideB', d.strideB], ['strideC', d.strideC]] as const) {
    if (!Number.isInteger(stride) || stride < 0) throw shapeError('matmul', `${name} must be a non-negative integer, got ${stride}`);
  }
  // Overlapping output batches would be written by several workgroups at once.
  if (d.batch > 1 && d.strideC < d.M * d.N) throw shapeError('matmul', `strideC ${d.strideC} overlaps output batches of ${d.M * d.N}`);
  if (!Number.isFinite(d.alpha)) throw shapeError('matmul', `alpha must be finite, got ${d.alpha}`);
  const grid = [ceilDiv(d.N, TN), ceilDiv(d.M, TM), d.batch];
  if (grid.some((g) => g > MAX_GROUPS)) throw shapeError('matmul', `grid (${grid.join(', ')}) exceeds ${MAX_GROUPS} workgroups per dimension`);
}

function checkEpilogue(d: ResolvedMatmulDims, out: Tensor, ep: MatmulEpilogueOption): void {
  // The epilogue reads or writes aux at out's indices, and the backward form multiplies the finished sum.
  if (d.batch !== 1) throw shapeError('matmul', 'a fused epilogue needs batch 1');
  if (ep.aux.dtype === 'f16' || ep.aux === out) throw shapeError('matmul', 'the epilogue\'s aux must be an f32 tensor other than out');
  expectNumel('matmul', 'aux', ep.aux, d.M * d.N);
  expectExtent('out', out, d.strideC, d.M * d.N, 1);
}

/** A batched operand spans exactly (batch - 1)·stride + one matrix (one matrix when broadcast). */
function expectExtent(name: string, t: Tensor, stride: number, size: number, batch: number): void {
  expectNumel('matmul', name, t, (batch - 1) * stride + size);
}
