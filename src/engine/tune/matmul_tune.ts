/**
 * Tuning matmul.wgsl's tile per shape on one runtime: every tile is timed on every given shape, and a tile
 * other than the default is chosen only when it beats the default by more than the timing noise margin, so a
 * table never encodes a coin toss. The shapes come from stepMatmulShapes (what a configuration's training
 * step and evaluation launch). The benchmark's `--tune` (src/bench/tune.ts) and the dashboard's Worker both
 * call this; it runs wherever WebGPU does (no Node, no DOM).
 */
import type { Runtime } from '../gpu/runtime';
import { matmul } from '../kernels/matmul';
import { DEFAULT_MATMUL_TILE, MATMUL_TILE_IDS, setMatmulTuning, type MatmulTileId, type MatmulTuning } from '../kernels/matmul_tiles';
import type { StepMatmulShape } from '../plan/matmul_shapes';
import { adapterKey } from './adapter_key';
import { timeDispatches } from './timing';

export { adapterKey };

/** A tile must beat the default by this factor to be chosen. */
export const TUNE_MARGIN = 1.03;

export interface TileTime {
  /** Median milliseconds per launch. */
  readonly ms: number;
  readonly flopsPerSecond: number;
}

export interface MatmulShapeTuning {
  readonly shape: StepMatmulShape;
  readonly tiles: Readonly<Record<MatmulTileId, TileTime>>;
  readonly best: MatmulTileId;
  /** Default tile's time over the chosen one's (1 when the default stays). */
  readonly speedup: number;
}

export interface MatmulTuneOptions {
  readonly warmup: number;
  readonly reps: number;
  /** Called before shape `index` (0-based) of `total` is timed. */
  readonly onShape?: (index: number, total: number, shape: StepMatmulShape) => void;
  /** Checked between tiles: true ends the tuning early (the result then covers the shapes finished). */
  readonly shouldStop?: () => boolean;
}

/** Biggest shapes first: they matter most, and a cancelled tuning has done those. */
export function bySize(shapes: readonly StepMatmulShape[]): StepMatmulShape[] {
  return [...shapes].sort((a, b) => b.M * b.N * b.K - a.M * a.N * a.K);
}

export async function tuneMatmulShapes(rt: Runtime, shapes: readonly StepMatmulShape[], options: MatmulTuneOptions): Promise<MatmulShapeTuning[]> {
  const out: MatmulShapeTuning[] = [];
  for (const [index, shape] of shapes.entries()) {
    options.onShape?.(index, shapes.length, shape);
    const tiles: Partial<Record<MatmulTileId, TileTime>> = {};
    for (const tile of MATMUL_TILE_IDS) {
      if (options.shouldStop?.()) return out;
      tiles[tile] = await timeMatmulTile(rt, shape, tile, options);
    }
    out.push(chooseTile(shape, tiles as Record<MatmulTileId, TileTime>));
  }
  return out;
}

export function chooseTile(shape: StepMatmulShape, tiles: Readonly<Record<MatmulTileId, TileTime>>): MatmulShapeTuning {
  const base = tiles[DEFAULT_MATMUL_TILE].ms;
  let best: MatmulTileId = DEFAULT_MATMUL_TILE;
  for (const tile of MATMUL_TILE_IDS) {
    if (tiles[tile].ms * TUNE_MARGIN < base && tiles[tile].ms < tiles[best].ms) best = tile;
  }
  return { shape, tiles, best, speedup: base / tiles[best].ms };
}

export async function timeMatmulTile(rt: Runtime, s: StepMatmulShape, tile: MatmulTileId, reps: Pick<MatmulTuneOptions, 'warmup' | 'reps'>): Promise<TileTime> {
  const a = rt.tensor([s.M * s.K], 'tune.a');
  const b = rt.tensor([s.K * s.N], 'tune.b');
  const c = rt.tensor([s.M * s.N], 'tune.c');
  try {
    const d = matmul(rt, c, a, b, null, { M: s.M, N: s.N, K: s.K, transA: s.transA, transB: s.transB }, { tile });
    const t = await timeDispatches(rt, [d], { warmup: reps.warmup, reps: reps.reps });
    return { ms: t.ms, flopsPerSecond: d.flops / (t.ms / 1000) };
  } finally {
    rt.release(a, b, c);
    rt.arena.trim();
  }
}

/** The table a Runtime takes (setMatmulTuning): only the shapes whose best tile is not the default. */
export function matmulTuningOf(adapter: string, tuned: readonly MatmulShapeTuning[]): MatmulTuning {
  return { adapter, tiles: Object.fromEntries(tuned.filter((t) => t.best !== DEFAULT_MATMUL_TILE).map((t) => [t.shape.key, t.best])) };
}

/** Gives a runtime its tuning table, unless the table was measured on another adapter (then: default tiles). */
export function applyMatmulTuning(rt: Runtime, tuning: MatmulTuning | null): boolean {
  const fits = tuning !== null && tuning.adapter === adapterKey(rt.adapter);
  setMatmulTuning(rt, fits ? tuning : null);
  return fits;
}
