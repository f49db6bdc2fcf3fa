/**
 * One pass of the shared encoder over a batch of fixed shape (B, T): the code tower or the query tower of
 * the code-search recipe. It owns its inputs, its saved activations and its gradient scratch; the dispatch
 * lists are built once and re-encoded every step, with only the inputs rewritten.
 */
import type { Runtime } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import type { AdapterActs } from './adapter_block';
import type { EncoderConfig } from './config';
import type { EncoderWeights } from './bind_weights';
import type { LayerActs, LayerWeights, TowerScratch } from './layer_types';
import { LINEAR_SITES, linearShape, type LinearSite } from './params';

export interface TowerShape {
  readonly B: number;
  readonly T: number;
  /** Prefix rows prepended to every sequence's keys (0 without prefix-tuning). */
  readonly P: number;
}

export interface TowerOptions {
  readonly hiddenDropout: number;
  readonly attentionDropout: number;
  readonly loraDropout: number;
  /**
   * Evaluation towers: no backward, so no gradient scratch, and the layers take turns over two activation
   * sets instead of keeping one per layer.
   */
  readonly forwardOnly?: boolean;
}

export interface TowerInputs {
  readonly ids: Tensor; // (B*T) u32 token ids
  readonly pos: Tensor; // (B*T) u32 position ids
  readonly tt: Tensor; // (B*T) u32 token types (all 0)
  readonly mask: Tensor; // (B, T) u32: 1 = token, 0 = padding
}

export interface EmbeddingActs {
  readonly sum: Tensor; // (BT, C) word + position + type
  readonly mean: Tensor; // (BT)
  readonly rstd: Tensor; // (BT)
  readonly ln: Tensor; // (BT, C)
  readonly out: Tensor; // (BT, C) after dropout (= ln when p = 0)
}

export function allocateInputs(rt: Runtime, s: TowerShape, label: string): TowerInputs {
  const n = s.B * s.T;
  return {
    ids: rt.tensor([n], `${label}.ids`, 'u32'),
    pos: rt.tensor([n], `${label}.pos`, 'u32'),
    tt: rt.tensor([n], `${label}.tt`, 'u32'),
    mask: rt.tensor([s.B, s.T], `${label}.mask`, 'u32'),
  };
}

export function allocateEmbeddingActs(rt: Runtime, s: TowerShape, C: number, hiddenDropout: number, label: string): EmbeddingActs {
  const rows = s.B * s.T;
  const ln = rt.tensor([rows, C], `${label}.emb.ln`);
  return {
    sum: rt.tensor([rows, C], `${label}.emb.sum`),
    mean: rt.tensor([rows], `${label}.emb.mean`),
    rstd: rt.tensor([rows], `${label}.emb.rstd`),
    ln,
    out: hiddenDropout > 0 ? rt.tensor([rows, C], `${label}.emb.out`) : ln,
  };
}

export function allocateLayerActs(rt: Runtime, cfg: EncoderConfig, w: LayerWeights, s: TowerShape, o: TowerOptions, label: string): LayerActs {
  const rows = s.B * s.T;
  const C = cfg.hidden;
  const t = (shape: number[], name: string): Tensor => rt.tensor(shape, `${label}.${name}`);
  const rc = (name: string): Tensor => t([rows, C], name);
  const ao = rc('ao');
  const f2 = rc('f2');
  const loraH: Partial<Record<LinearSite, Tensor>> = {};
  const loraXd: Partial<Record<LinearSite, Tensor>> = {};
  for (const site of LINEAR_SITES) {
    const lora = w.linear[site].lora;
    if (!lora) continue;
    loraH[site] = t([rows, lora.rank], `lora.${site}.h`);
    if (o.loraDropout > 0) loraXd[site] = t([rows, linearShape(cfg, site)[1]], `lora.${site}.xd`);
  }
  const adapter = (size: number | undefined, name: string): AdapterActs | null =>
    size === undefined ? null : { pre: t([rows, size], `${name}.pre`), act: t([rows, size], `${name}.act`), upOut: rc(`${name}.up`), out: rc(`${name}.out`) };
  return {
    q: rc('q'),
    k: rc('k'),
    v: rc('v'),
    probs: t([s.B, cfg.heads, s.T, s.P + s.T], 'probs'),
    ctx: rc('ctx'),
    ao,
    aoDrop: o.hiddenDropout > 0 ? rc('aoDrop') : ao,
    attnAdapter: adapter(w.attnAdapter?.size, 'attnAdapter'),
    res1: rc('res1'),
    mean1: t([rows], 'mean1'),
    rstd1: t([rows], 'rstd1'),
    h1: rc('h1'),
    f1: t([rows, cfg.intermediate], 'f1'),
    f1a: t([rows, cfg.intermediate], 'f1a'),
    f2,
    f2Drop: o.hiddenDropout > 0 ? rc('f2Drop') : f2,
    ffnAdapter: adapter(w.ffnAdapter?.size, 'ffnAdapter'),
    res2: rc('res2'),
    mean2: t([rows], 'mean2'),
    rstd2: t([rows], 'rstd2'),
    out: rc('out'),
    loraH,
    loraXd,
    attnParams: rt.uniform(1, `${label}.attnSeed`),
  };
}

/**
 * Activation sets for every layer: one each for training (backward reads them all), or two shared in turn for
 * forward-only towers. A shared set is allocated for the union of the layers' modules (every layer's LoRA
 * sites and adapters), which are the same sizes in every layer that has them.
 */
export function allocateLayers(rt: Runtime, cfg: EncoderConfig, layers: readonly LayerWeights[], s: TowerShape, o: TowerOptions, label: string): LayerActs[] {
  if (!o.forwardOnly) return layers.map((lw, l) => allocateLayerActs(rt, cfg, lw, s, o, `${label}.layer${l}`));
  const union: LayerWeights = {
    ...layers[0]!,
    linear: Object.fromEntries(LINEAR_SITES.map((site) => [site, layers.map((l) => l.linear[site]).find((x) => x.lora) ?? layers[0]!.linear[site]])) as LayerWeights['linear'],
    attnAdapter: layers.map((l) => l.attnAdapter).find((x) => x) ?? null,
    ffnAdapter: layers.map((l) => l.ffnAdapter).find((x) => x) ?? null,
  };
  const sets = [0, 1].map((i) => allocateLayerActs(rt, cfg, union, s, o, `${label}.set${i}`));
  return layers.map((_, l) => sets[l % 2]!);
}

export function allocateScratch(rt: Runtime, cfg: EncoderConfig, weights: EncoderWeights, s: TowerShape, o: TowerOptions, label: string): TowerScratch {
  const rows = s.B * s.T;
  const rc = (name: string): Tensor => rt.tensor([rows, cfg.hidden], `${label}.${name}`);
  const ri = (name: string): Tensor => rt.tensor([rows, cfg.intermediate], `${label}.${name}`);
  const adapterSize = weights.layers.map((l) => l.attnAdapter?.size ?? l.ffnAdapter?.size).find((x) => x !== undefined);
  const loraRank = weights.layers.flatMap((l) => LINEAR_SITES.map((site) => l.linear[site].lora?.rank)).find((x) => x !== undefined);
  return {
    resA: rc('dResA'),
    resB: rc('dResB'),
    dRes2: rc('dRes2'),
    dBranch: rc('dBranch'),
    dDense: rc('dDense'),
    dCtx: rc('dCtx'),
    dq: rc('dq'),
    dk: rc('dk'),
    dv: rc('dv'),
    dF1a: ri('dF1a'),
    dF1: ri('dF1'),
    normSink: { w: rt.tensor([cfg.hidden], `${label}.normSink.w`), b: rt.tensor([cfg.hidden], `${label}.normSink.b`) },
    adapter:
      adapterSize === undefined
        ? null
        : { dAct: rt.tensor([rows, adapterSize], `${label}.adapter.dAct`), dPre: rt.tensor([rows, adapterSize], `${label}.adapter.dPre`) },
    loraDh: loraRank === undefined ? null : rt.tensor([rows, loraRank], `${label}.lora.dh`),
    loraDxd: loraRank !== undefined && o.loraDropout > 0 ? { hidden: rc('lora.dxd'), intermediate: ri('lora.dxdI') } : null,
  };
}

