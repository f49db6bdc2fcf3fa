/** The tile of lib/column_sum.wgsl, for the launchers of the kernels that include it. */
import { shapeError } from '../gpu/errors';
import { ceilDiv, MAX_GROUPS } from '../gpu/runtime';

/** Columns per workgroup: `COLS` in lib/column_sum.wgsl (a test compiles the lib and checks they agree). */
export const COLUMN_SUM_COLS = 32;

/** One workgroup per COLUMN_SUM_COLS columns on a 1-D grid: 2M columns, far beyond any per-channel parameter. */
export function columnGroups(op: string, n: number): [number, number, number] {
  const groups = ceilDiv(n, COLUMN_SUM_COLS);
  if (groups > MAX_GROUPS) throw shapeError(op, `n ${n} exceeds ${MAX_GROUPS * COLUMN_SUM_COLS} columns`);
  return [groups, 1, 1];
}
