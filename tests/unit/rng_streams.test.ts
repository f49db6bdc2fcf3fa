/**
 * The random streams of a training step never collide: every dropout site of both training towers and every
 * layer's attention dropout gets a distinct seed for the same step (a collision would reuse one mask for two
 * sites, silently correlating dropout), for models from 1 to 48 layers. The mask seeds are computed as the
 * shaders do: site seed = tower seed ^ rngHash(stream) (src/reference/rng.ts is the shader's twin).
 */
import { describe, expect, it } from 'vitest';
import { LINEAR_SITES } from '../../src/engine/model/params';
import { attentionSeedMask, classifierStream, embeddingStream, LAYER_SITE, layerStreamBase, QUERY_TOWER_SALT, stepSeed, STREAMS_PER_LAYER, towerSeed } from '../../src/engine/model/rng_streams';
import { rngHash } from '../../src/reference/rng';

const TRAINING_TOWERS = [0, 1];

/** Every (name, XOR mask applied to the step seed) of one step. */
function masks(layers: number): [string, number][] {
  const out: [string, number][] = [];
  for (const t of TRAINING_TOWERS) {
    const salt = towerSeed(0, t);
    out.push([`t${t} embeddings`, (salt ^ rngHash(embeddingStream(t, layers))) >>> 0]);
    for (const site of [0, 1]) out.push([`t${t} classifier ${site}`, (salt ^ rngHash(classifierStream(t, layers, site))) >>> 0]);
    for (let l = 0; l < layers; l++) {
      const base = layerStreamBase(t, l, layers);
      const sites = [LAYER_SITE.attnOut, LAYER_SITE.ffnOut, ...LINEAR_SITES.map((_, i) => LAYER_SITE.loraBase + i)];
      for (const s of sites) out.push([`t${t} l${l} site ${s}`, (salt ^ rngHash(base + s)) >>> 0]);
      out.push([`t${t} l${l} attention`, (salt ^ attentionSeedMask(t, l)) >>> 0]);
    }
  }
  return out;
}

describe('the RNG stream layout', () => {
  it('fits every layer site inside its block of streams', () => {
    expect(LAYER_SITE.loraBase + LINEAR_SITES.length).toBeLessThanOrEqual(STREAMS_PER_LAYER);
    expect(layerStreamBase(0, 0, 12)).toBeGreaterThan(classifierStream(0, 12, 1));
    expect(embeddingStream(1, 12)).toBeGreaterThan(layerStreamBase(0, 11, 12) + STREAMS_PER_LAYER - 1);
  });

  it.each([1, 2, 6, 12, 24, 48])('gives every dropout of a step a distinct seed (%i layers)', (layers) => {
    const all = masks(layers);
    const seen = new Map<number, string>();
    const collisions = all.filter(([name, m]) => {
      const other = seen.get(m);
      seen.set(m, name);
      return other !== undefined;
    });
    expect(collisions).toEqual([]);
    expect(all.length).toBe(2 * (3 + layers * (3 + LINEAR_SITES.length)));
  });

  it('derives a new step seed every step and salts the query tower', () => {
    const seeds = new Set(Array.from({ length: 1000 }, (_, s) => stepSeed(123456, s)));
    expect(seeds.size).toBe(1000);
    expect(towerSeed(42, 1)).toBe((42 ^ QUERY_TOWER_SALT) >>> 0);
    expect(towerSeed(42, 0)).toBe(42);
  });
});
