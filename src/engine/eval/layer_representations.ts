/**
 * Every layer's representation of a set of inputs, for the layer analysis (probes and CKA drift): the output of
 * the embeddings and of each encoder layer, pooled on the GPU to the <s> state or the mean over real tokens —
 * the pooling kernel the embedding head uses — then copied into one (n, C) tensor per layer. Read back once.
 */
import { copyInto, type Runtime, type StepCommand } from '../gpu/runtime';
import { pooling, type PoolingMode } from '../kernels/pooling';
import type { TrainableModel } from '../train/trainable_model';

/** What is pooled: the <s> state ('cls') or the mean over the real tokens ('mean'). */
export type LayerPooling = Extract<PoolingMode, 'cls' | 'mean'>;

/**
 * (n, C) per layer for `ids` (n rows of the code side's length, padded): index 0 is the embeddings' output,
 * index l the output of encoder layer l (1-based, as the papers count).
 */
export async function layerRepresentations(rt: Runtime, tm: TrainableModel, ids: Uint32Array, n: number, batch: number, mode: LayerPooling): Promise<Float32Array[]> {
  const tower = tm.evalTower('code', batch);
  const { B, T } = tower.shape;
  const C = tm.model.hidden;
  if (ids.length !== n * T) throw new RangeError(`layerRepresentations: ${ids.length} ids for ${n} rows of ${T}`);
  // Without dropout the embeddings' output is the LayerNorm's (emb.out holds it only when dropout runs).
  const states = [tower.emb.ln, ...tower.layers.map((a) => a.out)];
  const pooled = states.map((_, l) => rt.tensor([B, C], `probe.pooled${l}`));
  const all = states.map((_, l) => rt.tensor([n, C], `probe.layer${l}`));
  const pool: StepCommand[] = states.map((h, l) => pooling(rt, pooled[l]!, h, tower.inputs.mask, B, T, C, mode));
  rt.submit(tm.prefixForward());
  const forward = tower.inference();
  for (let start = 0; start < n; start += B) {
    const valid = Math.min(B, n - start);
    const chunk = new Uint32Array(B * T).fill(1);
    chunk.set(ids.subarray(start * T, (start + valid) * T));
    tower.setBatch(chunk, 0);
    rt.submit([...forward, ...pool, ...all.map((t, l) => copyInto(t, start * C, pooled[l]!, valid * C))]);
  }
  const out = await rt.run([], all);
  rt.release(...pooled, ...all);
  return out;
}

