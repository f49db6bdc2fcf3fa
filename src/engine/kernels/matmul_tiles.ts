/**
 * matmul.wgsl's tile shapes and the per-adapter choice among them. A GPU's best tile depends on its register
 * file, workgroup memory and occupancy, and on the matmul's shape (a LoRA gradient with 64 output rows wants
 * small tiles to fill the GPU; a 4096×3072 FFN product wants big ones), so the choice is measured, not
 * guessed: `npm run bench -- --tune` times every tile on every shape a training step runs and writes a
 * tuning table; a Runtime given that table (setMatmulTuning) uses it. Without one, every shape gets the
 * 64×64 tile the kernel has always used.
 */
import { shapeError } from '../gpu/errors';
import type { Runtime } from '../gpu/runtime';

/** One tile shape: TM×TN outputs per workgroup of 16×16 invocations, each RM×RN of them, K in TK slices. */
export interface MatmulTile {
  readonly TM: number;
  readonly TN: number;
  readonly TK: number;
}

export const MATMUL_TILES = {
  t64: { TM: 64, TN: 64, TK: 8 },
  t32: { TM: 32, TN: 32, TK: 16 },
  t64k16: { TM: 64, TN: 64, TK: 16 },
  t128x64: { TM: 128, TN: 64, TK: 8 },
  t64x128: { TM: 64, TN: 128, TK: 8 },
  t128: { TM: 128, TN: 128, TK: 8 },
} as const satisfies Record<string, MatmulTile>;

export type MatmulTileId = keyof typeof MATMUL_TILES;
export const MATMUL_TILE_IDS = Object.keys(MATMUL_TILES) as MatmulTileId[];
export const DEFAULT_MATMUL_TILE: MatmulTileId = 't64';

/** Invocations per workgroup edge (matmul.wgsl's WG_X = WG_Y). */
const WG_EDGE = 16;

/** The const header matmul.wgsl expects in front of it for a tile shape. */
export function tileHeader(id: MatmulTileId): string {
  const { TM, TN, TK } = MATMUL_TILES[id];
  const consts = { TM, TN, TK, RM: TM / WG_EDGE, RN: TN / WG_EDGE };
  return Object.entries(consts)
    .map(([name, value]) => `const ${name} = ${value}u;`)
    .join('\n');
}

/** What identifies a matmul for tuning: its transposes and sizes (batch and strides do not change the best tile). */
export interface MatmulShape {
  readonly M: number;
  readonly N: number;
  readonly K: number;
  readonly transA: boolean;
  readonly transB: boolean;
}

export function matmulShapeKey(s: MatmulShape): string {
  return `${s.transA ? 'T' : 'N'}${s.transB ? 'T' : 'N'}:${s.M}x${s.N}x${s.K}`;
}

/** A tuning table as `--tune` writes it: which adapter it was measured on and the best tile per shape key. */
export interface MatmulTuning {
  readonly adapter: string;
  readonly tiles: Readonly<Record<string, MatmulTileId>>;
}

const tunings = new WeakMap<Runtime, MatmulTuning>();

export function setMatmulTuning(rt: Runtime, tuning: MatmulTuning | null): void {
  if (tuning) tunings.set(rt, tuning);
  else tunings.delete(rt);
}

// Shapes seen per runtime while recording (the tuner learns a step's shapes from a planner run of it).
const recorders = new WeakMap<Runtime, Map<string, MatmulShape & { launches: number }>>();

/** From now on, `rt` notes every matmul shape it launches; the map returned fills as kernels are built. */
export function recordMatmulShapes(rt: Runtime): ReadonlyMap<string, MatmulShape & { readonly launches: number }> {
  const seen = new Map<string, MatmulShape & { launches: number }>();
  recorders.set(rt, seen);
  return seen;
}

/** The tile for a shape on this runtime: an explicit choice, else the tuning table's, else the default. */
export function matmulTileFor(rt: Runtime, shape: MatmulShape, explicit?: MatmulTileId): MatmulTileId {
  const key = matmulShapeKey(shape);
  const seen = recorders.get(rt);
  if (seen) {
    const entry = seen.get(key);
    if (entry) entry.launches++;
    else seen.set(key, { M: shape.M, N: shape.N, K: shape.K, transA: shape.transA, transB: shape.transB, launches: 1 });
  }
  const tuned = tunings.get(rt)?.tiles;
  return explicit ?? (tuned && Object.hasOwn(tuned, key) ? tuned[key] : undefined) ?? DEFAULT_MATMUL_TILE;
}

/** Checks a parsed tuning file: every tile id must be one this build knows. */
export function parseMatmulTuning(json: unknown, source: string): MatmulTuning {
  const bad = (why: string) => shapeError('matmul tuning', `${source}: ${why} (write a new one with npm run bench -- --tune)`);
  if (typeof json !== 'object' || json === null) throw bad('not a JSON object');
  const { adapter, tiles } = json as { adapter?: unknown; tiles?: unknown };
  if (typeof adapter !== 'string') throw bad('"adapter" must be a string');
  if (typeof tiles !== 'object' || tiles === null) throw bad('"tiles" must be an object of shape → tile');
  // A map without a prototype: a shape key can never reach Object.prototype's members.
  const out: Record<string, MatmulTileId> = Object.create(null) as Record<string, MatmulTileId>;
  for (const [key, tile] of Object.entries(tiles)) {
    if (!/^[NT]{2}:\d+x\d+x\d+$/.test(key)) throw bad(`"${key}" is not a shape key like NT:4096x768x768`);
    if (typeof tile !== 'string' || !Object.hasOwn(MATMUL_TILES, tile)) throw bad(`unknown tile "${String(tile).slice(0, 40)}" for ${key}: known are ${MATMUL_TILE_IDS.join(', ')}`);
    out[key] = tile as MatmulTileId;
  }
  return { adapter, tiles: out };
}
