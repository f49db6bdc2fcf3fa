/**
 * Before a run allocates anything: the planner's bytes (the real engine on a counting device) against what the
 * device can hold — its largest buffer against maxStorageBufferBindingSize and maxBufferSize (a kernel binds a
 * buffer whole), and the peak against a memory budget the user gives (browsers do not say how much memory a
 * GPU has). A run that cannot fit is refused with the largest batch, then the longest lengths, that do.
 */
import type { EncoderConfig } from '../model/config';
import type { PeftConfig } from '../peft/types';
import type { RecipeSettings } from '../train/run_config';
import { planStepMemory, type LargestBuffer, type PlanOptions, type StepMemoryPlan } from './memory';

export interface MemoryLimits {
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
  /** Bytes the run may use at its peak (training + first evaluation); null: no budget given. */
  readonly budget: number | null;
}

export interface Preflight {
  /** What does not fit, as sentences; empty when the run fits. */
  readonly problems: readonly string[];
  /** The largest batch (then lengths) that fits, when the run does not and one does. */
  readonly fits: Pick<RecipeSettings, 'batchSize' | 'codeLength' | 'nlLength'> | null;
  readonly plan: StepMemoryPlan;
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** What makes the largest buffer smaller, by what it holds. */
const REMEDY: Readonly<Record<LargestBuffer['category'], string>> = {
  weights: "it is one of the model's own tensors, so this model cannot train on this GPU",
  trainable: 'it holds every trainable parameter: train fewer (a PEFT method, or fewer layers)',
  activations: 'lower the batch size or the sequence lengths',
  scratch: 'lower the batch size or the sequence lengths',
  evaluation: 'lower the evaluation batch or the validation limit',
};

/**
 * The largest buffer against the device's limits (a kernel binds it whole, so it must fit whatever memory the
 * GPU has): the sentence the page shows and the refusal uses, or null when it fits. Absent limits are not checked.
 */
export function bufferLimitProblem(largest: LargestBuffer, limits: { readonly maxStorageBufferBindingSize?: number; readonly maxBufferSize?: number }): string | null {
  const needs = `The largest buffer, ${largest.label}, needs ${mib(largest.bytes)}`;
  const binding = limits.maxStorageBufferBindingSize;
  const buffer = limits.maxBufferSize;
  if (binding !== undefined && largest.bytes > binding) return `${needs}, more than this GPU's maxStorageBufferBindingSize (${mib(binding)}): ${REMEDY[largest.category]}.`;
  if (buffer !== undefined && largest.bytes > buffer) return `${needs}, more than this GPU's maxBufferSize (${mib(buffer)}): ${REMEDY[largest.category]}.`;
  return null;
}

/** The run's peak (a step plus the first evaluation) against the user's budget, or null when it fits or there is none. */
export function budgetProblem(plan: Pick<StepMemoryPlan, 'total' | 'evaluation'>, budget: number | null): string | null {
  const peak = plan.total + (plan.evaluation ?? 0);
  return budget !== null && peak > budget ? `the run needs ${mib(peak)} at its peak, more than the memory budget of ${mib(budget)}` : null;
}

export function memoryProblems(plan: StepMemoryPlan, limits: MemoryLimits): string[] {
  const problems: string[] = [];
  const buffer = bufferLimitProblem(plan.largest, limits);
  if (buffer) problems.push(buffer.replace(/\.$/, ''));
  const budget = budgetProblem(plan, limits.budget);
  if (budget) problems.push(budget);
  return problems;
}

/** `classes`: a classification run's (its step has one tower and the head); null for code search. */
export async function preflight(model: EncoderConfig, peft: PeftConfig, recipe: RecipeSettings, limits: MemoryLimits, evalExamples = 0, classes: number | null = null): Promise<Preflight> {
  const plan = await planStepMemory(model, peft, recipe, { evalExamples, classes });
  const problems = memoryProblems(plan, limits);
  if (problems.length === 0) return { problems, fits: null, plan };
  return { problems, fits: await largestThatFits(model, peft, recipe, limits, { evalExamples, classes }), plan };
}

/**
 * The largest batch that fits (memory grows with the batch, so a binary search finds it); when not even a
 * batch of 2 does, the longest lengths at batch 2 (both scaled together, down to 16 tokens); null when nothing
 * fits.
 */
async function largestThatFits(model: EncoderConfig, peft: PeftConfig, recipe: RecipeSettings, limits: MemoryLimits, options: PlanOptions): Promise<Preflight['fits']> {
  type Shape = NonNullable<Preflight['fits']>;
  const fits = async (c: Shape): Promise<boolean> =>
    memoryProblems(await planStepMemory(model, peft, { ...recipe, ...c, evalBatchSize: Math.min(recipe.evalBatchSize, c.batchSize) }, options), limits).length === 0;
  const lengths = { codeLength: recipe.codeLength, nlLength: recipe.nlLength };
  const batch = await largest(2, recipe.batchSize - 1, (b) => fits({ batchSize: b, ...lengths }));
  if (batch !== null) return { batchSize: batch, ...lengths };
  const scaled = (code: number): Shape => ({ batchSize: 2, codeLength: code, nlLength: Math.max(16, Math.round((recipe.nlLength * code) / recipe.codeLength)) });
  const code = await largest(Math.min(16, recipe.codeLength), recipe.codeLength - 1, (c) => fits(scaled(c)));
  return code === null ? null : scaled(code);
}

/** The largest n in [lo, hi] with ok(n), for an ok that holds below some point and fails above it. */
async function largest(lo: number, hi: number, ok: (n: number) => Promise<boolean>): Promise<number | null> {
  if (hi < lo || !(await ok(lo))) return null;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (await ok(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The refusal as one sentence: what does not fit, and the setting that would (flag names from the caller). */
export function preflightMessage(p: Preflight, recipe: Pick<RecipeSettings, 'codeLength' | 'nlLength'>, flags: { batch: string; code: string; nl: string }): string {
  const f = p.fits;
  let fix = 'Nothing fits: train fewer parameters (a PEFT method, fewer layers) or use a GPU with more memory';
  if (f && f.codeLength === recipe.codeLength && f.nlLength === recipe.nlLength) fix = `The largest batch that fits is ${flags.batch} ${f.batchSize}`;
  else if (f) fix = `Even a batch of 2 does not fit at these lengths; ${flags.batch} 2 with ${flags.code} ${f.codeLength} and ${flags.nl} ${f.nlLength} does`;
  return `the run does not fit: ${p.problems.join('; ')}. ${fix}.`;
}
