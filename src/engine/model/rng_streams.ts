/**
 * Where every random number of a training step comes from. Dropout masks are counter-based (a mask is a pure
 * function of a seed and an element index), so what must never collide is the layout of seeds and streams —
 * kept here, in one place, and checked by tests/unit/rng_streams.test.ts (llm.c keeps one rng_state for the same
 * reason).
 *
 *   step seed       imul(run seed, 0x9e3779b1) + step; the query tower draws from step seed ^ QUERY_TOWER_SALT
 *   tower t         (0 code, 1 query; 2 and 3 are the evaluation towers, which draw nothing) owns the streams
 *                   [t·(L+1)·16, (t+1)·(L+1)·16) of its seed:
 *     embeddings    stream t·(L+1)·16
 *     layer l       streams (t·(L+1) + l + 1)·16 + site: 0 attention output, 1 FFN output, 2..7 the LoRA input
 *                   of each linear site (in LINEAR_SITES order); 8..15 unused
 *   attention       one seed per (tower, layer) for the attention probabilities: tower seed ^ imul(l + 1 + 977·t, φ)
 * A dropout site's mask seed is its tower's seed ^ rngHash(stream) (shaders/lib/rng.wgsl).
 */
export const STREAMS_PER_LAYER = 16;
export const LAYER_SITE = { attnOut: 0, ffnOut: 1, loraBase: 2 } as const;
export const QUERY_TOWER_SALT = 0x5bd1e995;
const GOLDEN = 0x9e3779b9;

export function stepSeed(runSeed: number, step: number): number {
  return (Math.imul(runSeed, 0x9e3779b1) + step) >>> 0;
}

/** The seed tower `tower` draws its dropout from at a step (the query tower's is salted). */
export function towerSeed(step: number, tower: number): number {
  return (tower === 1 ? step ^ QUERY_TOWER_SALT : step) >>> 0;
}

export function embeddingStream(tower: number, layers: number): number {
  return tower * (layers + 1) * STREAMS_PER_LAYER;
}

/** The classification head's dropout sites (0: its input, 1: before out_proj), in the embeddings' unused streams. */
export function classifierStream(tower: number, layers: number, site: number): number {
  return embeddingStream(tower, layers) + 8 + site;
}

export function layerStreamBase(tower: number, layer: number, layers: number): number {
  return (tower * (layers + 1) + layer + 1) * STREAMS_PER_LAYER;
}

/** The XOR mask that turns a tower's seed into its layer's attention-dropout seed. */
export function attentionSeedMask(tower: number, layer: number): number {
  return Math.imul(layer + 1 + tower * 977, GOLDEN) >>> 0;
}

export function attentionSeed(seed: number, tower: number, layer: number): number {
  return (seed ^ attentionSeedMask(tower, layer)) >>> 0;
}
