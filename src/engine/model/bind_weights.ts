/**
 * Gathers the named parameter tensors (and their gradients, null when frozen) into the per-layer structures
 * the forward and backward listings take.
 */
import type { Tensor } from '../gpu/tensor';
import { adapterPath } from '../peft/adapter';
import { channelScaleAt, lowRankAt, residualAdapters } from '../peft/attach';
import type { AdapterSite } from '../peft/module';
import type { AdapterWeights } from './adapter_block';
import type { LayerWeights, LinearWeights, NormWeights, PrefixRows } from './layer_types';
import { LINEAR_SITES, linearPath, type LinearSite } from './params';
import type { ModelWeights } from './weights';

export interface EmbeddingWeights {
  readonly word: Tensor; // (V, C)
  readonly position: Tensor; // (maxPositions, C)
  readonly tokenType: Tensor; // (typeVocab, C)
  readonly ln: NormWeights;
  readonly dWord: Tensor | null;
  readonly dPosition: Tensor | null;
  readonly dTokenType: Tensor | null;
}

export interface EncoderWeights {
  readonly embeddings: EmbeddingWeights;
  readonly layers: readonly LayerWeights[];
  readonly pooler: LinearWeights;
}

/** Where each layer's prefix rows come from (parameters, or the prefix MLP's per-layer outputs). */
export type PrefixSource = (layer: number) => PrefixRows | null;

/**
 * `trains` narrows which trainable tensors get gradients in this binding (LWO binds one set per phase, so
 * inactive layers cost no gradient work).
 */
export function bindWeights(mw: ModelWeights, prefix: PrefixSource, trains: (name: string) => boolean = () => true): EncoderWeights {
  const { model } = mw.plan;
  const grad = (name: string): Tensor | null => (trains(name) ? mw.grad(name) : null);
  const layers: LayerWeights[] = [];
  for (let l = 0; l < model.layers; l++) {
    const linear = Object.fromEntries(LINEAR_SITES.map((site) => [site, linearWeights(mw, linearPath(l, site), grad)])) as Record<LinearSite, LinearWeights>;
    layers.push({
      linear,
      ln1: norm(mw, `encoder.layer.${l}.attention.output.LayerNorm`, grad),
      ln2: norm(mw, `encoder.layer.${l}.output.LayerNorm`, grad),
      attnAdapter: adapterWeights(mw, l, 'attention'),
      ffnAdapter: adapterWeights(mw, l, 'ffn'),
      prefix: prefix(l),
    });
  }
  const e = 'embeddings';
  return {
    embeddings: {
      word: mw.get(`${e}.word_embeddings.weight`),
      position: mw.get(`${e}.position_embeddings.weight`),
      tokenType: mw.get(`${e}.token_type_embeddings.weight`),
      ln: norm(mw, `${e}.LayerNorm`, grad),
      dWord: grad(`${e}.word_embeddings.weight`),
      dPosition: grad(`${e}.position_embeddings.weight`),
      dTokenType: grad(`${e}.token_type_embeddings.weight`),
    },
    layers,
    pooler: linearWeights(mw, 'pooler.dense', grad),
  };
}

type GradOf = (name: string) => Tensor | null;

function linearWeights(mw: ModelWeights, path: string, grad: GradOf): LinearWeights {
  const a = `${path}.lora_A.weight`;
  const branch = mw.has(a) ? lowRankAt(mw.plan.peft, path) : null;
  const l = `${path}.ia3_l`;
  const side = mw.has(l) ? channelScaleAt(mw.plan.peft, path) : null;
  return {
    w: mw.get(`${path}.weight`),
    b: mw.get(`${path}.bias`),
    dw: grad(`${path}.weight`),
    db: grad(`${path}.bias`),
    lora:
      branch
        ? { a: mw.get(a), b: mw.get(`${path}.lora_B.weight`), da: mustGrad(mw, a), db: mustGrad(mw, `${path}.lora_B.weight`), rank: branch.rank, scale: branch.scale }
        : null,
    scale: side ? { l: mw.get(l), dl: mustGrad(mw, l), side } : null,
  };
}

function norm(mw: ModelWeights, path: string, grad: GradOf): NormWeights {
  return { w: mw.get(`${path}.weight`), b: mw.get(`${path}.bias`), dw: grad(`${path}.weight`), db: grad(`${path}.bias`) };
}

function adapterWeights(mw: ModelWeights, layer: number, site: AdapterSite): AdapterWeights | null {
  const config = residualAdapters(mw.plan.peft);
  const p = adapterPath(layer, site);
  if (!config || !config.sites.includes(site) || !mw.has(`${p}.down.weight`)) return null;
  const names = { down: `${p}.down.weight`, downBias: `${p}.down.bias`, up: `${p}.up.weight`, upBias: `${p}.up.bias` };
  return {
    down: mw.get(names.down),
    downBias: mw.get(names.downBias),
    up: mw.get(names.up),
    upBias: mw.get(names.upBias),
    grads: { down: mustGrad(mw, names.down), downBias: mustGrad(mw, names.downBias), up: mustGrad(mw, names.up), upBias: mustGrad(mw, names.upBias) },
    activation: config.activation,
    size: config.size,
  };
}

/** Plain prefix rows are parameters: values and gradients are views of the flat buffers. */
export function plainPrefix(mw: ModelWeights): PrefixSource {
  return (layer) => {
    const key = `prefix.layer.${layer}.key`;
    if (!mw.has(key)) return null;
    const value = `prefix.layer.${layer}.value`;
    return { pk: mw.get(key), pv: mw.get(value), dpk: mustGrad(mw, key), dpv: mustGrad(mw, value) };
  };
}

function mustGrad(mw: ModelWeights, name: string): Tensor {
  const g = mw.grad(name);
  if (!g) throw new Error(`"${name}" is added by a PEFT method but has no gradient (it should be trainable)`);
  return g;
}

