/**
 * An estimate of the GPU memory one training step needs, from the same shapes the engine allocates
 * (src/engine/model/tower.ts, weights.ts, eval/retrieval.ts): weights, the flat trainable state, the
 * activations both towers keep for backward, the backward scratch, and the evaluation buffers. The formula is
 * in docs/UI.md. It is an estimate: the device panel shows what the engine really holds while a run trains.
 */
import type { EncoderConfig } from '../../engine/model/config';
import { LINEAR_SITES, linearPath, linearShape, specNumel } from '../../engine/model/params';
import { targetedSites } from '../../engine/peft/lora';
import { methodLayers, type PeftPlan } from '../../engine/peft/plan';
import { methodOf } from '../../engine/peft/types';
import type { RecipeSettings } from '../../engine/train/run_config';

const F32 = 4;
const F16 = 2;

export interface MemoryPart {
  readonly label: string;
  readonly bytes: number;
}

export interface MemoryEstimate {
  readonly total: number;
  readonly parts: readonly MemoryPart[];
  /** The biggest single buffer, which must fit one storage binding. */
  readonly largest: MemoryPart;
}

interface TowerInput {
  readonly B: number;
  readonly T: number;
}

/** Extra floats per row (token) that the PEFT modules of one layer add to the saved activations. */
function peftRowFloats(plan: PeftPlan, layer: number, C: number): number {
  let floats = 0;
  const { peft, model } = plan;
  const ad = methodOf(peft, 'adapter');
  if (ad && methodLayers(ad, peft, model).includes(layer)) floats += (ad.placement === 'houlsby' ? 2 : 1) * (2 * ad.size + 2 * C);
  const lo = methodOf(peft, 'lora');
  if (lo) {
    for (const site of targetedSites(lo, model, methodLayers(lo, peft, model))) {
      if (site.layer !== layer) continue;
      floats += lo.r + (lo.dropout > 0 ? linearShape(model, site.site)[1] : 0);
    }
  }
  return floats;
}

/**
 * Floats one tower allocates at most: embeddings, every layer's saved activations and attention row statistics
 * (the backward recomputes the probabilities). An upper bound: the engine shares the activations no backward
 * reads (inputs of frozen weights) across layers; `npm run bench -- --plan` gives the exact figure.
 */
function towerFloats(plan: PeftPlan, recipe: RecipeSettings, t: TowerInput): { total: number; ffn: number } {
  const m = plan.model;
  const C = m.hidden;
  const rows = t.B * t.T;
  const drop = recipe.hiddenDropout > 0 ? 1 : 0;
  let total = (3 + drop) * rows * C;
  const rowStats = 2 * t.B * m.heads * t.T;
  for (let l = 0; l < m.layers; l++) {
    total += (10 + 2 * drop) * rows * C + 2 * rows * m.intermediate + rowStats + rows * peftRowFloats(plan, l, C);
  }
  return { total, ffn: rows * m.intermediate };
}

/**
 * Bytes of the weights that do not train. With `frozenWeightsF16` the engine keeps the frozen linear weights
 * (the six per-layer linears and the pooler's, src/engine/model/weights.ts) as halves; the rest stays f32.
 */
function frozenBytes(plan: PeftPlan, recipe: RecipeSettings): number {
  const trainable = new Set(plan.trainable.map((s) => s.name));
  const frozen = plan.base.filter((s) => !trainable.has(s.name));
  const all = frozen.reduce((n, s) => n + specNumel(s), 0);
  if (!recipe.frozenWeightsF16) return all * F32;
  const linear = new Set(['pooler.dense.weight']);
  for (let l = 0; l < plan.model.layers; l++) for (const site of LINEAR_SITES) linear.add(`${linearPath(l, site)}.weight`);
  const halves = frozen.filter((s) => linear.has(s.name)).reduce((n, s) => n + specNumel(s), 0);
  return (all - halves) * F32 + halves * F16;
}

/** Backward scratch of one tower (reused by every layer). */
function scratchFloats(model: EncoderConfig, t: TowerInput): number {
  const rows = t.B * t.T;
  return 9 * rows * model.hidden + 2 * rows * model.intermediate;
}

export function estimateStepMemory(plan: PeftPlan, recipe: RecipeSettings, validExamples: number | null): MemoryEstimate {
  const m = plan.model;
  const code = { B: recipe.batchSize, T: recipe.codeLength };
  const nl = { B: recipe.batchSize, T: recipe.nlLength };
  const codeTower = towerFloats(plan, recipe, code);
  const nlTower = towerFloats(plan, recipe, nl);
  const n = validExamples ?? 0;
  const evalB = Math.min(recipe.evalBatchSize, Math.max(1, n));
  const noDrop = { ...recipe, hiddenDropout: 0 };
  const evalTower = (T: number): number => towerFloats(plan, noDrop, { B: evalB, T }).total;
  // At the training batch size evaluation runs on the training towers' buffers.
  const evalTowers = n > 0 && evalB !== recipe.batchSize ? evalTower(recipe.codeLength) + evalTower(recipe.nlLength) : 0;
  const parts: MemoryPart[] = [
    { label: recipe.frozenWeightsF16 ? 'Frozen weights (linear ones in 16 bits)' : 'Frozen weights', bytes: frozenBytes(plan, recipe) },
    { label: 'Trainable weights + gradients + AdamW state (4 copies)', bytes: 4 * plan.exactTrainable * F32 },
    { label: 'Activations kept for backward (code + query towers)', bytes: (codeTower.total + nlTower.total) * F32 },
    { label: 'Backward scratch', bytes: (scratchFloats(m, code) + scratchFloats(m, nl)) * F32 },
    { label: `Evaluation (${n.toLocaleString('en-US')} pairs)`, bytes: (evalTowers + 2 * n * m.hidden + evalB * n) * F32 },
  ];
  const candidates: MemoryPart[] = [
    { label: 'word embeddings', bytes: m.vocabSize * m.hidden * F32 },
    { label: 'flat trainable buffer', bytes: plan.exactTrainable * F32 },
    { label: 'FFN activations of one layer', bytes: Math.max(codeTower.ffn, nlTower.ffn) * F32 },
    { label: 'evaluation score matrix', bytes: evalB * n * F32 },
  ];
  const largest = candidates.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  return { total: parts.reduce((s, p) => s + p.bytes, 0), parts, largest };
}

/** Warnings against the adapter's limits (empty when the run fits). */
export function memoryWarnings(estimate: MemoryEstimate, limits: Readonly<Record<string, number>> | null): string[] {
  if (!limits) return [];
  const out: string[] = [];
  const binding = limits.maxStorageBufferBindingSize;
  const buffer = limits.maxBufferSize;
  const mib = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MiB`;
  const { largest } = estimate;
  if (binding !== undefined && largest.bytes > binding) {
    out.push(`The ${largest.label} needs ${mib(largest.bytes)}, more than this GPU's maxStorageBufferBindingSize (${mib(binding)}): lower the batch size or the sequence lengths, or use a smaller validation set.`);
  } else if (buffer !== undefined && largest.bytes > buffer) {
    out.push(`The ${largest.label} needs ${mib(largest.bytes)}, more than this GPU's maxBufferSize (${mib(buffer)}).`);
  }
  return out;
}
