import code from '../../../shaders/embedding_backward.wgsl?raw';
import { shapeError } from '../gpu/errors';
import type { Dispatch, Runtime } from '../gpu/runtime';
import { ELEMENTWISE_WG, grid1d } from '../gpu/runtime';
import { sizeOf, type Tensor } from '../gpu/tensor';
import type { EmbeddingPlan } from './embedding_plan';
import { expectNumel, expectPositive } from './check';
import { expectIndices } from './embedding';

const shader = { name: 'embedding_backward', code };
const WG = ELEMENTWISE_WG;

/**
 * One table's scatter plan on the GPU, sized for the largest batch plan it can hold: unique (maxU),
 * offsets (maxU + 1), positions (N) u32, and count, a one-word uniform with the number of unique indices.
 * Allocated once; writeEmbeddingPlan refills it every batch, so dispatch records that bind it are reused.
 */
export interface EmbeddingPlanTensors {
  readonly unique: Tensor;
  readonly offsets: Tensor;
  readonly positions: Tensor;
  readonly count: Tensor;
  /** Most unique indices a batch can have: min(table rows, N). */
  readonly maxU: number;
  readonly rows: number;
  readonly N: number;
}

/** Plan tensors for a table of `rows` rows indexed by `N` tokens (B*T). */
export function embeddingPlanTensors(rt: Runtime, rows: number, N: number, label: string): EmbeddingPlanTensors {
  expectPositive('embeddingPlanTensors', { rows, N });
  const maxU = Math.min(rows, N);
  return {
    unique: rt.tensor([maxU], `${label}.unique`, 'u32'),
    offsets: rt.tensor([maxU + 1], `${label}.offsets`, 'u32'),
    positions: rt.tensor([N], `${label}.positions`, 'u32'),
    count: rt.uniform(1, `${label}.count`),
    maxU,
    rows,
    N,
  };
}

/** Uploads one batch's plan (from embeddingBackwardPlan); entries past its count are never read. */
export function writeEmbeddingPlan(rt: Runtime, tensors: EmbeddingPlanTensors, plan: EmbeddingPlan): void {
  const U = plan.unique.length;
  const op = 'writeEmbeddingPlan';
  if (plan.positions.length !== tensors.N) throw shapeError(op, `plan covers ${plan.positions.length} tokens, tensors hold ${tensors.N}`);
  if (U > tensors.maxU || plan.offsets.length !== U + 1) throw shapeError(op, `plan has ${U} unique indices, tensors hold ${tensors.maxU}`);
  if (U > 0 && plan.unique[U - 1]! >= tensors.rows) throw shapeError(op, `index ${plan.unique[U - 1]} is past the table's ${tensors.rows} rows`);
  rt.write(tensors.unique, plan.unique);
  rt.write(tensors.offsets, plan.offsets);
  rt.write(tensors.positions, plan.positions);
  rt.write(tensors.count, Uint32Array.of(U));
}

/**
 * dtable[v, :] += Σ_{t: idx[t] = v} dout[t, :] for one table, from its plan. dtable (rows, C), dout (N, C).
 * Call once per table (token, position, type), each with its own plan.
 */
export function embeddingBackward(rt: Runtime, dtable: Tensor, dout: Tensor, plan: EmbeddingPlanTensors, C: number): Dispatch {
  const op = 'embeddingBackward';
  expectPositive(op, { C });
  expectNumel(op, 'dtable', dtable, plan.rows * C);
  expectNumel(op, 'dout', dout, plan.N * C);
  expectIndices(op, { unique: plan.unique }, plan.maxU);
  expectIndices(op, { offsets: plan.offsets }, plan.maxU + 1);
  expectIndices(op, { positions: plan.positions }, plan.N);
  return rt.kernel({
    shader,
    constants: { C, MAXU: plan.maxU, WG },
    bindings: [
      [dtable, 'write'],
      [dout, 'read'],
      [plan.unique, 'read'],
      [plan.offsets, 'read'],
      [plan.positions, 'read'],
      [plan.count, 'uniform'],
    ],
    workgroups: grid1d(plan.maxU * C, WG),
    flops: sizeOf(dout),
  });
}
