import code from '../../../shaders/retrieval_rank.wgsl?raw';
import { shapeError } from '../gpu/errors';
import type { Dispatch, Runtime } from '../gpu/runtime';
import { grid1d } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { expectNumel, expectPositive } from './check';
import { rowWorkgroupSize } from './check';
import { rowReduce, rowShaders } from './lib';

const shaders = rowShaders('retrieval_rank', code);

/** Counts are summed in f32 (the shared reduction), exact up to 2^24. */
const MAX_CANDIDATES = 2 ** 24;

/**
 * ranks (Q) u32 = 1 + #{ j ≠ i : scores[q, j] >= scores[q, i] }, i = i0 + q (ties count against the query;
 * 0 when i >= N). scores (Q, N) f32 is a block of queries against all N candidates. chunk is rt.uniform(1)
 * holding i0 (write it with setQueryOffset), so one record serves every chunk of Q queries; a shorter last
 * chunk needs its own record. Read ranks with rt.runRaw and a Uint32Array.
 */
export function retrievalRank(rt: Runtime, ranks: Tensor, scores: Tensor, chunk: Tensor, Q: number, N: number): Dispatch {
  const op = 'retrieval_rank';
  expectPositive(op, { Q, N });
  expectNumel(op, 'ranks', ranks, Q);
  expectNumel(op, 'scores', scores, Q * N);
  expectNumel(op, 'chunk', chunk, 1);
  if (ranks.dtype !== 'u32') throw shapeError(op, `ranks must be u32, got ${ranks.dtype}`);
  if (scores.dtype !== 'f32') throw shapeError(op, `scores must be f32, got ${scores.dtype}`);
  if (N > MAX_CANDIDATES) throw shapeError(op, `N ${N} exceeds ${MAX_CANDIDATES} candidates (counts are summed exactly in f32 up to 2^24)`);
  return rt.kernel({
    shader: shaders[rowReduce(rt)],
    entryPoint: 'retrieval_rank',
    constants: { Q, N, WG: rowWorkgroupSize(N) },
    bindings: [
      [ranks, 'write'],
      [scores, 'read'],
      [chunk, 'uniform'],
    ],
    workgroups: grid1d(Q, 1),
    flops: Q * N,
  });
}

/** Writes the eval-set index of the next block's first query into the chunk uniform (as a u32, not an f32). */
export function setQueryOffset(rt: Runtime, chunk: Tensor, i0: number): void {
  if (!Number.isInteger(i0) || i0 < 0 || i0 > 0xffffffff) throw shapeError('retrieval_rank', `i0 must be a u32, got ${i0}`);
  rt.write(chunk, Uint32Array.of(i0));
}
