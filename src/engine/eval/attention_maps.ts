/**
 * Attention weights of one input at one layer, for the attention view (the thesis' App. 7.1): the model runs
 * the input forward on the GPU in a tower that keeps every layer's queries and keys (no dropout), they are read
 * back, and each head's probabilities are formed as the attention kernel forms them — softmax(q·kᵀ/√D + mask)
 * over the prefix keys (prefix-tuning) then the tokens, padded keys masked with float32's lowest value as
 * transformers does — in float64. One (T × (P + T)) matrix per head; rows and columns of padding are cut.
 */
import type { Runtime } from '../gpu/runtime';
import { EncoderTower } from '../model/encoder';
import type { TrainableModel } from '../train/trainable_model';

export interface AttentionMaps {
  /** Real tokens of the input (<s> … </s>): the rows, and the last columns. */
  readonly tokens: number;
  /** Prefix rows before the tokens among the keys (0 without prefix-tuning). */
  readonly prefix: number;
  /** One matrix per head, row-major (tokens × (prefix + tokens)). */
  readonly heads: Float32Array[];
}

const TORCH_F32_MIN = -3.4028234663852886e38;

/** `ids`: one input of the code side's length (padded). `layer`: 0-based encoder layer. */
export async function attentionMaps(rt: Runtime, tm: TrainableModel, ids: Uint32Array, layer: number): Promise<AttentionMaps> {
  const cfg = tm.model;
  if (!Number.isInteger(layer) || layer < 0 || layer >= cfg.layers) throw new RangeError(`layer ${layer}: the model has layers 0 to ${cfg.layers - 1}`);
  const T = ids.length;
  const P = tm.encoder.layers[layer]!.prefix ? tm.encoder.layers[layer]!.prefix!.pk.shape[0]! : 0;
  const options = { hiddenDropout: 0, attentionDropout: 0, loraDropout: 0 };
  // A training-shaped tower keeps each layer's q and k (an evaluation tower reuses two activation sets). Its
  // buffers live as long as the runtime: callers (the Worker's attention view) use a runtime of their own.
  const tower = new EncoderTower(rt, cfg, tm.encoder, { B: 1, T, P }, options, { pooling: 'cls', normalize: false }, 2, 'attention-view', 0);
  tower.setBatch(ids, 0);
  rt.submit(tm.prefixForward());
  const acts = tower.layers[layer]!;
  const prefix = tm.encoder.layers[layer]!.prefix;
  const read = await rt.run(tower.inference(), [acts.q, acts.k, ...(prefix ? [prefix.pk] : [])]);
  const [q, k] = [read[0]!, read[1]!];
  const pk = prefix ? read[2]! : new Float32Array(0);
  const tokens = ids.findIndex((id) => id === cfg.padTokenId);
  const n = tokens < 0 ? T : tokens;
  const heads = Array.from({ length: cfg.heads }, (_, h) => headProbs(q, k, pk, ids, { T, P, n, C: cfg.hidden, H: cfg.heads, h, pad: cfg.padTokenId }));
  return { tokens: n, prefix: P, heads };
}

interface Dims {
  readonly T: number;
  readonly P: number;
  readonly n: number;
  readonly C: number;
  readonly H: number;
  readonly h: number;
  readonly pad: number;
}

function headProbs(q: Float32Array, k: Float32Array, pk: Float32Array, ids: Uint32Array, d: Dims): Float32Array {
  const D = d.C / d.H;
  const off = d.h * D;
  const S = d.P + d.T;
  const out = new Float32Array(d.n * (d.P + d.n));
  const scores = new Float64Array(S);
  for (let i = 0; i < d.n; i++) {
    let max = -Infinity;
    for (let j = 0; j < S; j++) {
      const key = j < d.P ? pk.subarray(j * d.C + off, j * d.C + off + D) : k.subarray((j - d.P) * d.C + off, (j - d.P) * d.C + off + D);
      let s = 0;
      for (let c = 0; c < D; c++) s += q[i * d.C + off + c]! * key[c]!;
      s /= Math.sqrt(D);
      if (j >= d.P && ids[j - d.P] === d.pad) s += TORCH_F32_MIN;
      scores[j] = s;
      max = Math.max(max, s);
    }
    let sum = 0;
    for (let j = 0; j < S; j++) sum += scores[j] = Math.exp(scores[j]! - max);
    // Columns kept: the prefix keys and the real tokens (padded keys have probability 0 to the last digit).
    for (let j = 0; j < d.P + d.n; j++) out[i * (d.P + d.n) + j] = scores[j]! / sum;
  }
  return out;
}
