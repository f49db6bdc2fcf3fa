import code from '../../../shaders/embedding.wgsl?raw';
import { shapeError } from '../gpu/errors';
import type { Dispatch, Runtime } from '../gpu/runtime';
import { ELEMENTWISE_WG, grid1d } from '../gpu/runtime';
import { shapeString, sizeOf, type Tensor } from '../gpu/tensor';
import { expectNumel, expectPositive } from './check';

const shader = { name: 'embedding', code };
const WG = ELEMENTWISE_WG;

/**
 * out = wte[ids] + wpe[pos] + wtt[tt] row by row. out (BT, C); ids, pos, tt (BT) u32; wte (V, C),
 * wpe (Pmax, C), wtt (TT, C). Indices are not range-checked on the GPU: the caller builds them in range.
 */
export function embedding(
  rt: Runtime,
  out: Tensor,
  ids: Tensor,
  pos: Tensor,
  tt: Tensor,
  wte: Tensor,
  wpe: Tensor,
  wtt: Tensor,
  BT: number,
  C: number,
): Dispatch {
  expectPositive('embedding', { BT, C });
  expectNumel('embedding', 'out', out, BT * C);
  expectIndices('embedding', { ids, pos, tt }, BT);
  expectTables('embedding', { wte, wpe, wtt }, C);
  return rt.kernel({
    shader,
    constants: { BT, C, WG },
    bindings: [
      [out, 'write'],
      [ids, 'read'],
      [pos, 'read'],
      [tt, 'read'],
      [wte, 'read'],
      [wpe, 'read'],
      [wtt, 'read'],
    ],
    workgroups: grid1d(BT * C, WG),
    flops: 2 * BT * C,
  });
}

/** Index tensors: u32, n elements each (an f32 tensor here would be read as garbage indices). */
export function expectIndices(op: string, tensors: Record<string, Tensor>, n: number): void {
  for (const [name, t] of Object.entries(tensors)) {
    if (t.dtype !== 'u32') throw shapeError(op, `${name} must be u32, got ${t.dtype}`);
    expectNumel(op, name, t, n);
  }
}

/** Embedding tables (and their gradients): a positive whole number of rows of C channels. */
export function expectTables(op: string, tensors: Record<string, Tensor>, C: number): void {
  for (const [name, t] of Object.entries(tensors)) {
    const n = sizeOf(t);
    if (n === 0 || n % C !== 0) throw shapeError(op, `${name} ${shapeString(t.shape)} is not a table of rows of ${C} channels`);
  }
}
