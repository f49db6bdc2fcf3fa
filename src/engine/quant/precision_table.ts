/**
 * One model evaluated at every precision the lab computes (code search): f32, fp16, int8 weights per tensor and
 * per output channel, each int8 also with quantize_dynamic's quantized activations — the metric and the stored
 * size per row. Each row builds its model on a fork of the device whose buffers are freed after it. The CLI's
 * `quantize-eval` and the dashboard's precision table share it.
 */
import type { Runtime } from '../gpu/runtime';
import { evaluateRetrieval, type EncodedSet } from '../eval/retrieval';
import type { PeftPlan } from '../peft/plan';
import { buildModel } from '../train/build_model';
import type { TrainerConfig } from '../train/run_config';
import { atPrecision, type WeightPrecision } from './precision';

export type ActivationPrecision = 'f32' | 'int8';

export interface PrecisionRow {
  readonly weights: WeightPrecision;
  readonly activations: ActivationPrecision;
  readonly mrr: number;
  readonly recall_1: number;
  readonly linear_bytes: number;
  readonly model_bytes: number;
}

export const PRECISION_ROWS: readonly (readonly [WeightPrecision, ActivationPrecision])[] = [
  ['f32', 'f32'],
  ['fp16', 'f32'],
  ['int8', 'f32'],
  ['int8', 'int8'],
  ['int8-channel', 'f32'],
  ['int8-channel', 'int8'],
];

/**
 * `values`: every parameter of `plan`'s model. Quantized activations need the model's own linear layers only
 * (no added modules, as quantize_dynamic would quantize an adapter's too): with added modules those rows are
 * left out.
 */
export async function precisionTable(rt: Runtime, plan: PeftPlan, values: ReadonlyMap<string, Float32Array>, config: TrainerConfig, valid: EncodedSet): Promise<PrecisionRow[]> {
  const shapes = new Map([...plan.base, ...plan.added].map((s) => [s.name, s.shape]));
  const rows: PrecisionRow[] = [];
  for (const [weights, activations] of PRECISION_ROWS) {
    if (activations === 'int8' && plan.added.length > 0) continue;
    const q = atPrecision(values, shapes, weights);
    const fork = rt.fork();
    try {
      const quantizeActivations = activations === 'int8';
      const tm = buildModel(fork, plan, { ...config, recipe: { ...config.recipe, quantizeActivations } }, 'evaluate');
      tm.weights.load(q.values);
      const { metrics } = await evaluateRetrieval(fork, tm, valid, config.evalBatchSize);
      rows.push({ weights, activations, mrr: metrics.mrr, recall_1: metrics.recall1, linear_bytes: q.linearBytes, model_bytes: q.modelBytes });
    } finally {
      fork.releaseAll();
    }
  }
  return rows;
}

/** A metric change in percentage points with its sign; one that rounds to 0 reads +0.00, never -0.00. */
export function signedPoints(delta: number): string {
  const text = (100 * delta).toFixed(2);
  return text.startsWith('-') && text !== '-0.00' ? text : `+${text.replace('-', '')}`;
}
