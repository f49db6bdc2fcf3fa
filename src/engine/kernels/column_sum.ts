/** The tile of lib/column_sum.wgsl, defined once here and passed to the shaders as pipeline overrides. */
import { shapeError } from '../gpu/errors';
import { ceilDiv, MAX_GROUPS } from '../gpu/runtime';

/** Columns per workgroup and row slices per column: lib/column_sum.wgsl's COLS and SLICES overrides, set from here. */
export const COLUMN_SUM_COLS = 32;
export const COLUMN_SUM_SLICES = 8;

/** The overrides every kernel that includes lib/column_sum.wgsl passes. */
export const COLUMN_SUM_CONSTANTS = { COLS: COLUMN_SUM_COLS, SLICES: COLUMN_SUM_SLICES } as const;

/** One workgroup per COLUMN_SUM_COLS columns on a 1-D grid: 2M columns, far beyond any per-channel parameter. */
export function columnGroups(op: string, n: number): [number, number, number] {
  const groups = ceilDiv(n, COLUMN_SUM_COLS);
  if (groups > MAX_GROUPS) throw shapeError(op, `n ${n} exceeds ${MAX_GROUPS * COLUMN_SUM_COLS} columns`);
  return [groups, 1, 1];
}
