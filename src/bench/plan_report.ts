/**
 * `npm run bench -- --plan`: what can be known without a GPU. For each method at the benchmark's scale, the
 * memory planner's bytes (by category, plus the first evaluation's extra) and the step's FLOPs, bound bytes
 * and dispatch count — all from the engine's own code run on a counting device.
 */
import { parsePeftConfig } from '../engine/peft/parse';
import { planStep, type MemoryItem, type StepCostPlan, type StepMemoryPlan } from '../engine/plan/memory';
import type { RecipeSettings } from '../engine/train/run_config';
import { benchMethods, FULL_SCALE, QUICK_SCALE, selectMethods, type BenchScale } from './methods';
import { fmt, table } from './report';

export const PLAN_SCHEMA = 'webgpu-lab-plan/1';

/** AdvTest's validation set: the evaluation a real run does. */
export const ADVTEST_VALID = 9604;

export interface PlanRow {
  readonly method: string;
  readonly peft: unknown;
  readonly memory: StepMemoryPlan;
  readonly cost: StepCostPlan;
}

export interface PlanReport {
  readonly schema: typeof PLAN_SCHEMA;
  readonly model: string;
  readonly recipe: Pick<RecipeSettings, 'batchSize' | 'codeLength' | 'nlLength' | 'hiddenDropout' | 'attentionDropout' | 'evalBatchSize'>;
  readonly evalExamples: number;
  readonly rows: readonly PlanRow[];
}

export interface PlanOptions {
  readonly quick: boolean;
  readonly methods: readonly string[] | null;
  readonly batchSize?: number;
  readonly evalBatchSize?: number;
}

export async function runPlan(options: PlanOptions): Promise<PlanReport> {
  const base: BenchScale = options.quick ? QUICK_SCALE : FULL_SCALE;
  const recipe: RecipeSettings = { ...base.recipe, batchSize: options.batchSize ?? base.recipe.batchSize, evalBatchSize: options.evalBatchSize ?? base.recipe.evalBatchSize };
  const evalExamples = options.quick ? base.evalExamples : ADVTEST_VALID;
  const rows: PlanRow[] = [];
  for (const m of selectMethods(benchMethods(base), options.methods)) {
    const plan = await planStep(base.model, parsePeftConfig(m.peft, base.model), recipe, { evalExamples });
    rows.push({ method: m.name, peft: m.peft, memory: { ...plan.memory, breakdown: plan.memory.breakdown.slice(0, 12) }, cost: plan.cost });
  }
  const r = recipe;
  return {
    schema: PLAN_SCHEMA,
    model: base.modelName,
    recipe: { batchSize: r.batchSize, codeLength: r.codeLength, nlLength: r.nlLength, hiddenDropout: r.hiddenDropout, attentionDropout: r.attentionDropout, evalBatchSize: r.evalBatchSize },
    evalExamples,
    rows,
  };
}

export function formatPlan(p: PlanReport): string {
  const r = p.recipe;
  const head = `Planned per training step — ${p.model}, batch ${r.batchSize}, code ${r.codeLength}, NL ${r.nlLength}, dropout ${r.hiddenDropout}/${r.attentionDropout} (no GPU: the engine's allocations on a counting device)`;
  const memory = table(
    ['method', 'weights', 'trainable', 'activations', 'scratch', 'step total', `+ eval (${p.evalExamples} @ ${r.evalBatchSize})`],
    p.rows.map(({ method, memory: m }) => [method, fmt.bytes(m.weights), fmt.bytes(m.trainable), fmt.bytes(m.activations), fmt.bytes(m.scratch), fmt.bytes(m.total), m.evaluation === null ? '-' : fmt.bytes(m.evaluation)]),
  );
  const cost = table(
    ['method', 'GFLOP/step', 'GB bound/step', 'FLOP/byte', 'dispatches'],
    p.rows.map(({ method, cost: c }) => [method, fmt.num(c.flops / 1e9, 1), fmt.num(c.boundBytes / 1e9, 2), fmt.num(c.flops / c.boundBytes, 1), String(c.dispatches)]),
  );
  const largest = p.rows[0] ? `\nLargest allocations (${p.rows[0].method}):\n${breakdown(p.rows[0].memory.breakdown)}` : '';
  return `${head}\n\n${memory}\n\n${cost}\n${largest}`;
}

function breakdown(items: readonly MemoryItem[]): string {
  return table(
    ['tensor kind', 'category', 'count', 'bytes'],
    items.slice(0, 8).map((i) => [i.name, i.category, String(i.count), fmt.bytes(i.bytes)]),
    2,
  );
}
