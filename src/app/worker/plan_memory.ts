/**
 * The Worker's answer to 'plan-memory': the engine's memory planner, which builds the real TrainableModel on a
 * counting device and runs one step (tens of milliseconds for codebert-base, about a second when the
 * evaluation reads back a large trainable set: full fine-tuning, LWO), so it runs here, off the page's main
 * thread. It needs no GPU and no loaded weights: the model's shape is in the request.
 */
import { planStepMemoryAndCost } from '../../engine/plan/memory';
import type { MemoryPlanAnswer, WorkerRequest } from './protocol';

export async function planMemory(request: Extract<WorkerRequest, { type: 'plan-memory' }>): Promise<MemoryPlanAnswer> {
  const { id, model, peft, recipe, evalExamples, classes } = request;
  try {
    // The per-kind breakdown (a hundred rows) stays here: the page shows the categories.
    const { memory, cost } = await planStepMemoryAndCost(model, peft, recipe, { evalExamples, classes: classes ?? null });
    const { breakdown, ...plan } = memory;
    return { type: 'memory-plan', id, plan: { ...plan, flopsPerStep: cost.flops } };
  } catch (error) {
    return { type: 'memory-plan-error', id, message: error instanceof Error ? error.message : String(error) };
  }
}
