/**
 * `npm run bench -- --tune`: measures every matmul tile shape on every matmul shape the selected methods'
 * training steps and evaluation launch, on this machine's GPU, and picks the fastest per shape (the tuning
 * itself is src/engine/tune/matmul_tune.ts, which the dashboard's Worker runs too). The report is also a
 * tuning table (`adapter` + `tiles`), which `--tuning FILE` (bench) and `--matmul-tuning FILE` (the lab CLI)
 * load. A tile is only chosen over the default when it is faster by more than the timing noise margin, so a
 * table never encodes a coin toss.
 */
import type { Runtime } from '../engine/gpu/runtime';
import { DEFAULT_MATMUL_TILE, MATMUL_TILE_IDS, type MatmulTileId, type MatmulTuning } from '../engine/kernels/matmul_tiles';
import { parsePeftConfig } from '../engine/peft/parse';
import { stepMatmulShapes, type StepMatmulShape } from '../engine/plan/matmul_shapes';
import { adapterKey, bySize, matmulTuningOf, TUNE_MARGIN, tuneMatmulShapes, type MatmulShapeTuning } from '../engine/tune/matmul_tune';
import { benchMethods, FULL_SCALE, QUICK_SCALE, selectMethods } from './methods';
import { fractionOfPeak, type PeakMatch } from './peaks';
import type { Log } from './run';
import { table } from './report';

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
  return bySize([...all.values()]);
}

export async function runTune(rt: Runtime, options: TuneOptions, peak: PeakMatch | null, log: Log): Promise<TuneReport> {
  const tuned = await tuneMatmulShapes(rt, await tunedShapes(options), {
    warmup: options.quick ? 1 : 3,
    reps: options.quick ? 2 : 7,
    onShape: (_, __, s) => log(`tune: ${s.key}`),
  });
  const { adapter, tiles } = matmulTuningOf(adapterKey(rt.adapter), tuned);
  return { adapter, tiles, date: new Date().toISOString(), quick: options.quick, shapes: tuned.map((t) => reported(t, peak)) };
}

function reported(t: MatmulShapeTuning, peak: PeakMatch | null): TunedShape {
  const tiles: Partial<Record<MatmulTileId, TileTiming>> = {};
  for (const tile of MATMUL_TILE_IDS) {
    const { ms, flopsPerSecond } = t.tiles[tile];
    tiles[tile] = { ms, gflops: flopsPerSecond / 1e9, fractionOfPeak: fractionOfPeak(flopsPerSecond, peak) };
  }
  return { key: t.shape.key, launches: t.shape.launches, tiles, best: t.best, speedup: t.speedup };
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
    `${chosen} of ${r.shapes.length} shapes use a tile other than ${DEFAULT_MATMUL_TILE} (faster by more than ${Math.round((TUNE_MARGIN - 1) * 100)}%).`,
  ].join('\n');
}
