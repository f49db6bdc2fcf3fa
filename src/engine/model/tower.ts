/**
 * One pass of the shared encoder over a batch of fixed shape (B, T): the code tower or the query tower of
 * the code-search recipe. It owns its inputs, its saved activations and its gradient scratch; the dispatch
 * lists are built once and re-encoded every step, with only the inputs rewritten.
 */
import { dynamicQuantPartials } from '../kernels/dynamic_quant';
import type { Runtime } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { ROW_STATS } from '../kernels/attention';
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
  /**
   * Evaluation as quantize_dynamic computes: each linear layer's input quantized to quint8 and back first
   * (kernels/dynamic_quant). Forward-only towers of models without added modules.
   */
  readonly quantizeActivations?: boolean;
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

/**
 * Which of a layer's activations some backward kernel reads: q, k, v, the attention row statistics, the LayerNorm inputs and
 * statistics and the GELU input always; a linear's input only when its weight trains or it has LoRA; a
 * sublayer output only when an adapter sits on it; the layer output only when the next layer's q/k/v need
 * their input. The rest is written and read within the forward, so one buffer serves every layer.
 */
interface Kept {
  readonly ctx: boolean;
  readonly aoDrop: boolean;
  readonly h1: boolean;
  readonly f1a: boolean;
  readonly f2Drop: boolean;
  readonly out: boolean;
}

// An (IA)³ input scale reads x for its own gradient; an output scale reads only its saved output.
const needsInput = (w: LayerWeights, site: LinearSite): boolean => w.linear[site].dw !== null || w.linear[site].lora !== null || w.linear[site].scale?.side === 'input';

function keptActs(w: LayerWeights, next: LayerWeights | undefined): Kept {
  return {
    ctx: needsInput(w, 'attention.output.dense'),
    aoDrop: w.attnAdapter !== null,
    h1: needsInput(w, 'intermediate.dense'),
    f1a: needsInput(w, 'output.dense'),
    f2Drop: w.ffnAdapter !== null,
    out: next !== undefined && (['query', 'key', 'value'] as const).some((site) => needsInput(next, site)),
  };
}

const KEEP_ALL: Kept = { ctx: true, aoDrop: true, h1: true, f1a: true, f2Drop: true, out: true };

/** One tensor per name for the whole tower: the activations no backward reads. */
type Shared = (shape: number[], name: string) => Tensor;

export function sharedActs(rt: Runtime, label: string): Shared {
  const made = new Map<string, Tensor>();
  return (shape, name) => {
    let t = made.get(name);
    if (!t) {
      t = rt.tensor(shape, `${label}.shared.${name}`);
      made.set(name, t);
    }
    return t;
  };
}

export function allocateLayerActs(rt: Runtime, cfg: EncoderConfig, w: LayerWeights, s: TowerShape, o: TowerOptions, label: string, keep: Kept = KEEP_ALL, shared: Shared | null = null): LayerActs {
  const rows = s.B * s.T;
  const C = cfg.hidden;
  const t = (shape: number[], name: string): Tensor => rt.tensor(shape, `${label}.${name}`);
  const rc = (name: string, kept = true): Tensor => (kept || !shared ? t([rows, C], name) : shared([rows, C], name));
  const dropped = o.hiddenDropout > 0;
  // With dropout off the sublayer output is its own "dropped" version: keep it if that one is kept.
  const aoDrop = rc('aoDrop', keep.aoDrop);
  const f2Drop = rc('f2Drop', keep.f2Drop);
  const loraH: Partial<Record<LinearSite, Tensor>> = {};
  const loraXd: Partial<Record<LinearSite, Tensor>> = {};
  for (const site of LINEAR_SITES) {
    const lora = w.linear[site].lora;
    if (!lora) continue;
    loraH[site] = t([rows, lora.rank], `lora.${site}.h`);
    if (o.loraDropout > 0) loraXd[site] = t([rows, linearShape(cfg, site)[1]], `lora.${site}.xd`);
  }
  const scaleSaved: Partial<Record<LinearSite, Tensor>> = {};
  for (const site of LINEAR_SITES) {
    const scale = w.linear[site].scale;
    const [out, inp] = linearShape(cfg, site);
    if (scale) scaleSaved[site] = t([rows, scale.side === 'input' ? inp : out], `ia3.${site}`);
  }
  const adapter = (size: number | undefined, name: string): AdapterActs | null =>
    size === undefined ? null : { pre: t([rows, size], `${name}.pre`), act: t([rows, size], `${name}.act`), upOut: rc(`${name}.up`, false), out: rc(`${name}.out`, false) };
  const ri = (name: string, kept: boolean): Tensor => (kept || !shared ? t([rows, cfg.intermediate], name) : shared([rows, cfg.intermediate], name));
  return {
    q: rc('q'),
    k: rc('k'),
    v: rc('v'),
    rowStats: t([s.B, cfg.heads, s.T, ROW_STATS], 'rowStats'),
    ctx: rc('ctx', keep.ctx),
    ao: dropped ? rc('ao', false) : aoDrop,
    aoDrop,
    attnAdapter: adapter(w.attnAdapter?.size, 'attnAdapter'),
    res1: rc('res1'),
    mean1: t([rows], 'mean1'),
    rstd1: t([rows], 'rstd1'),
    h1: rc('h1', keep.h1),
    f1: t([rows, cfg.intermediate], 'f1'),
    f1a: ri('f1a', keep.f1a),
    f2: dropped ? rc('f2', false) : f2Drop,
    f2Drop,
    ffnAdapter: adapter(w.ffnAdapter?.size, 'ffnAdapter'),
    res2: rc('res2'),
    mean2: t([rows], 'mean2'),
    rstd2: t([rows], 'rstd2'),
    out: rc('out', keep.out),
    loraH,
    loraXd,
    scaleSaved,
    attnParams: rt.uniform(1, `${label}.attnSeed`),
  };
}

/**
 * Activation sets for every layer. Training: one per layer from `keepFrom` (the lowest layer the backward
 * reaches) up, keeping only what the backward reads (see keptActs); the frozen layers below take turns over
 * two shared sets, as forward-only (evaluation) towers do for all layers. A shared set is allocated for the
 * union of the layers' modules (every layer's LoRA sites and adapters), which have the same sizes wherever
 * they appear.
 */
export function allocateLayers(rt: Runtime, cfg: EncoderConfig, layers: readonly LayerWeights[], s: TowerShape, o: TowerOptions, label: string, keepFrom: number): LayerActs[] {
  const from = o.forwardOnly ? layers.length : Math.max(0, keepFrom);
  // Layers below share two activation sets, which needs their LoRA ranks to agree (rank_pattern may mix them).
  const below = sameLoraRanks(layers.slice(0, from)) ? layers.slice(0, from) : [];
  const sets = below.length > 0 ? [0, 1].map((i) => allocateLayerActs(rt, cfg, unionOf(below), s, o, `${label}.set${i}`)) : [];
  const shared = sharedActs(rt, label);
  return layers.map((lw, l) => (l < below.length ? sets[l % 2]! : allocateLayerActs(rt, cfg, lw, s, o, `${label}.layer${l}`, keptActs(lw, layers[l + 1]), shared)));
}

function sameLoraRanks(layers: readonly LayerWeights[]): boolean {
  return LINEAR_SITES.every((site) => new Set(layers.flatMap((l) => l.linear[site].lora?.rank ?? [])).size <= 1);
}

function unionOf(layers: readonly LayerWeights[]): LayerWeights {
  return {
    ...layers[0]!,
    linear: Object.fromEntries(LINEAR_SITES.map((site) => [site, layers.map((l) => l.linear[site]).find((x) => x.lora || x.scale) ?? layers[0]!.linear[site]])) as LayerWeights['linear'],
    attnAdapter: layers.map((l) => l.attnAdapter).find((x) => x) ?? null,
    ffnAdapter: layers.map((l) => l.ffnAdapter).find((x) => x) ?? null,
  };
}

export function allocateScratch(rt: Runtime, cfg: EncoderConfig, weights: EncoderWeights, s: TowerShape, o: TowerOptions, label: string): TowerScratch {
  const rows = s.B * s.T;
  const rc = (name: string): Tensor => rt.tensor([rows, cfg.hidden], `${label}.${name}`);
  const ri = (name: string): Tensor => rt.tensor([rows, cfg.intermediate], `${label}.${name}`);
  const adapterSize = weights.layers.map((l) => l.attnAdapter?.size ?? l.ffnAdapter?.size).find((x) => x !== undefined);
  const ranks = new Set(weights.layers.flatMap((l) => LINEAR_SITES.flatMap((site) => l.linear[site].lora?.rank ?? [])));
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
    dF1a: weights.layers.some((l) => l.linear['output.dense'].lora || l.linear['output.dense'].scale) ? ri('dF1a') : null,
    dF1: ri('dF1'),
    normSink: { w: rt.tensor([cfg.hidden], `${label}.normSink.w`), b: rt.tensor([cfg.hidden], `${label}.normSink.b`) },
    adapter:
      adapterSize === undefined
        ? null
        : { dAct: rt.tensor([rows, adapterSize], `${label}.adapter.dAct`), dPre: rt.tensor([rows, adapterSize], `${label}.adapter.dPre`) },
    loraDh: new Map([...ranks].map((r) => [r, rt.tensor([rows, r], `${label}.lora.dh${r}`)])),
    loraDxd: ranks.size > 0 && o.loraDropout > 0 ? { hidden: rc('lora.dxd'), intermediate: ri('lora.dxdI') } : null,
    scaleDx: weights.layers.some((l) => LINEAR_SITES.some((site) => l.linear[site].scale)) ? { hidden: rc('ia3.dx'), intermediate: ri('ia3.dxI') } : null,
  };
}


/** A linear input's quantization scratch for `n` values: the dequantized copy and the range partials. */
export interface QuantScratch {
  readonly x: Tensor;
  readonly partials: Tensor;
}

/** Scratch for quantizing the inputs of a tower's linear layers: one per input width, shared by the layers. */
export interface ActivationQuant {
  readonly stats: Tensor; // (4) scale, zero point, min, max of the last quantization
  readonly hidden: QuantScratch; // (rows, C): q/k/v, attention output and FFN-up inputs
  readonly inter: QuantScratch; // (rows, I): the FFN-down input
}

export function quantScratch(rt: Runtime, rows: number, width: number, label: string): QuantScratch {
  return { x: rt.tensor([rows, width], `${label}.x`), partials: rt.tensor([dynamicQuantPartials(rows * width)], `${label}.partials`) };
}

export function allocateActivationQuant(rt: Runtime, cfg: EncoderConfig, s: TowerShape, label: string): ActivationQuant {
  const rows = s.B * s.T;
  return { stats: rt.tensor([4], `${label}.quant.stats`), hidden: quantScratch(rt, rows, cfg.hidden, `${label}.quant.hidden`), inter: quantScratch(rt, rows, cfg.intermediate, `${label}.quant.inter`) };
}
