/** Shape of C[b] = alpha · op(A[b]) · op(B[b]) (+ bias) (+ C[b]); op(A) is (M, K), op(B) is (K, N). */
export interface MatmulDims {
  readonly M: number;
  readonly N: number;
  readonly K: number;
  /** Number of matrices (default 1). */
  readonly batch?: number;
  /** A is stored (K, M) instead of (M, K). */
  readonly transA?: boolean;
  /** B is stored (N, K) instead of (K, N). */
  readonly transB?: boolean;
  /** Scales op(A)·op(B), not the bias or the accumulated C (default 1). */
  readonly alpha?: number;
  /** C += instead of C = (default false). */
  readonly accumulate?: boolean;
  /** Elements between consecutive batches; 0 broadcasts one matrix (defaults: dense, M·K, K·N, M·N). */
  readonly strideA?: number;
  readonly strideB?: number;
  readonly strideC?: number;
}

export type ResolvedMatmulDims = Required<MatmulDims>;

export function resolveMatmulDims(dims: MatmulDims): ResolvedMatmulDims {
  const { M, N, K } = dims;
  return {
    M,
    N,
    K,
    batch: dims.batch ?? 1,
    transA: dims.transA ?? false,
    transB: dims.transB ?? false,
    alpha: dims.alpha ?? 1,
    accumulate: dims.accumulate ?? false,
    strideA: dims.strideA ?? M * K,
    strideB: dims.strideB ?? K * N,
    strideC: dims.strideC ?? M * N,
  };
}

/**
 * matmul.wgsl's fused epilogue, applied to each output v after bias and accumulation: 'activation' writes
 * act(v) and saves v in `aux` (the pre-activation a backward needs); 'activation-backward' writes v ⊙ act'(aux).
 */
