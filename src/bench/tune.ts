/**
 * `npm run bench -- --tune`: measures every matmul tile shape on every matmul shape the selected methods'
 * training steps and evaluation launch, on this machine's GPU, and picks the fastest per shape. The report
 * is also a tuning table (`adapter` + `tiles`), which `--tuning FILE` (bench) and `--matmul-tuning FILE`
 * (the lab CLI) load. A tile is only chosen over the default when it is faster by more than the timing noise
 * margin, so a table never encodes a coin toss.
 */
import type { Runtime } from '../engine/gpu/runtime';
import { matmul } from '../engine/kernels/matmul';
import { DEFAULT_MATMUL_TILE, MATMUL_TILE_IDS, type MatmulTileId, type MatmulTuning } from '../engine/kernels/matmul_tiles';
import { parsePeftConfig } from '../engine/peft/parse';
import { stepMatmulShapes, type StepMatmulShape } from '../engine/plan/matmul_shapes';
import { benchMethods, FULL_SCALE, QUICK_SCALE, selectMethods } from './methods';
import { fractionOfPeak, type PeakMatch } from './peaks';
import type { Log } from './run';
import { table } from './report';
import { timeDispatches } from './timing';

/** A tile must beat the default by this factor to be chosen. */
const MARGIN = 1.03;

export interface TileTiming {
  readonly ms: number;
  readonly gflops: number;
  readonly fractionOfPeak: number | null;
}

export interface TunedShape {
  readonly key: string;
  readonly launches: number;
  readonly tiles: Readonly<Partial<Record<MatmulTileId, TileTiming>>>;
  readonly best: MatmulTileId;
  /** Default tile's time over the chosen one's. */
  readonly speedup: number;
}

export interface TuneReport extends MatmulTuning {
  readonly date: string;
  readonly quick: boolean;
  readonly shapes: readonly TunedShape[];
}

export interface TuneOptions {
  readonly quick: boolean;
  readonly methods: readonly string[] | null;
}

/** Every distinct shape over the selected methods, launches summed. */
export async function tunedShapes(options: TuneOptions): Promise<StepMatmulShape[]> {
  const scale = options.quick ? QUICK_SCALE : FULL_SCALE;
  const all = new Map<string, StepMatmulShape>();
  for (const m of selectMethods(benchMethods(scale), options.methods)) {
    for (const s of await stepMatmulShapes(scale.model, parsePeftConfig(m.peft, scale.model), scale.recipe)) {
      const prev = all.get(s.key);
      all.set(s.key, prev ? { ...prev, launches: prev.launches + s.launches } : s);
    }
  }
  return [...all.values()].sort((a, b) => b.M * b.N * b.K - a.M * a.N * a.K);
}

export async function runTune(rt: Runtime, options: TuneOptions, peak: PeakMatch | null, log: Log): Promise<TuneReport> {
  const shapes: TunedShape[] = [];
  for (const s of await tunedShapes(options)) {
    log(`tune: ${s.key}`);
    const tiles: Partial<Record<MatmulTileId, TileTiming>> = {};
    for (const tile of MATMUL_TILE_IDS) tiles[tile] = await timeTile(rt, s, tile, options.quick, peak);
    shapes.push(choose(s, tiles));
  }
  const adapter = rt.adapter.description || `${rt.adapter.vendor} ${rt.adapter.architecture}`.trim();
  const chosen = Object.fromEntries(shapes.filter((s) => s.best !== DEFAULT_MATMUL_TILE).map((s) => [s.key, s.best]));
  return { adapter, tiles: chosen, date: new Date().toISOString(), quick: options.quick, shapes };
}

function choose(s: StepMatmulShape, tiles: Partial<Record<MatmulTileId, TileTiming>>): TunedShape {
  const base = tiles[DEFAULT_MATMUL_TILE]!.ms;
  let best: MatmulTileId = DEFAULT_MATMUL_TILE;
  for (const tile of MATMUL_TILE_IDS) {
    const t = tiles[tile]!;
    if (t.ms * MARGIN < base && t.ms < tiles[best]!.ms) best = tile;
  }
  return { key: s.key, launches: s.launches, tiles, best, speedup: base / tiles[best]!.ms };
}

async function timeTile(rt: Runtime, s: StepMatmulShape, tile: MatmulTileId, quick: boolean, peak: PeakMatch | null): Promise<TileTiming> {
  const a = rt.tensor([s.M * s.K], 'tune.a');
  const b = rt.tensor([s.K * s.N], 'tune.b');
  const c = rt.tensor([s.M * s.N], 'tune.c');
  try {
    const d = matmul(rt, c, a, b, null, { M: s.M, N: s.N, K: s.K, transA: s.transA, transB: s.transB }, { tile });
    const t = await timeDispatches(rt, [d], { warmup: quick ? 1 : 3, reps: quick ? 2 : 7 });
    const flopsPerSecond = d.flops / (t.ms / 1000);
    return { ms: t.ms, gflops: flopsPerSecond / 1e9, fractionOfPeak: fractionOfPeak(flopsPerSecond, peak) };
  } finally {
    rt.release(a, b, c);
    rt.arena.trim();
  }
}

/** Three significant digits: SwiftShader's quick shapes run at hundredths of a GFLOPS, real GPUs at thousands. */
function gflops(x: number): string {
  return x >= 100 ? x.toFixed(0) : x.toPrecision(3);
}

export function formatTune(r: TuneReport): string {
  const head = ['shape (op:M×N×K)', 'launches', ...MATMUL_TILE_IDS.map((t) => `${t} GFLOPS`), 'chosen', 'speed-up'];
  const rows = r.shapes.map((s) => [s.key, String(s.launches), ...MATMUL_TILE_IDS.map((t) => gflops(s.tiles[t]!.gflops)), s.best, `${s.speedup.toFixed(2)}×`]);
  const chosen = Object.keys(r.tiles).length;
  return [
    `matmul tiles on ${r.adapter} (${r.quick ? 'quick shapes' : 'codebert-base shapes at the thesis recipe'}); op: N/T = A, B stored plain/transposed`,
    table(head, rows),
    `${chosen} of ${r.shapes.length} shapes use a tile other than ${DEFAULT_MATMUL_TILE} (faster by more than ${Math.round((MARGIN - 1) * 100)}%).`,
  ].join('\n');
}
