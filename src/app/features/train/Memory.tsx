/**
 * The GPU memory of a step as the engine's planner computes it in the Worker (src/engine/plan/memory.ts: the
 * real model built on a counting device and one real step), its categories, the largest single buffer, and
 * the warnings against the adapter's limits.
 */
import type { RecipeSettings } from '../../../engine/train/run_config';
import { formatBytes } from '../../lib/format';
import { budgetWarning, memoryWarnings } from '../../lib/memory_limits';
import type { MemoryPlanState } from '../../store/memorySlice';
import type { MemoryPlan } from '../../worker/protocol';

type Limits = Readonly<Record<string, number>> | null;

/** The total, for the facts list: the bytes the arena holds at the step's peak, plus what evaluating adds. */
export function MemoryTotal({ state }: { state: MemoryPlanState }) {
  if (state.status === 'computing') {
    return (
      <dd data-testid="memory-estimate" aria-busy="true">
        <span className="muted">computing…</span>
      </dd>
    );
  }
  if (state.status !== 'done') return <dd data-testid="memory-estimate">—</dd>;
  const { total, evaluation } = state.plan;
  return (
    <dd data-testid="memory-estimate" data-bytes={total}>
      {formatBytes(total)}
      {evaluation !== null && <span className="muted"> + {formatBytes(evaluation)} while evaluating</span>}
    </dd>
  );
}

/**
 * The planner's categories and largest buffer, or its message when it could not plan the configuration. The
 * <details> stays mounted while a new plan is computed, so an open breakdown stays open across edits.
 */
export function MemoryDetails({ state, recipe, limits, budget }: { state: MemoryPlanState; recipe: RecipeSettings; limits: Limits; budget: number | null }) {
  if (state.status === 'error') {
    return (
      <p role="alert" className="error-text small" data-testid="memory-error">
        The memory planner could not build this configuration: {state.message}
      </p>
    );
  }
  if (state.status === 'none') return null;
  return (
    <>
      <details className="small" data-testid="memory-breakdown">
        <summary>Memory breakdown</summary>
        {state.status === 'done' ? <Breakdown plan={state.plan} evalExamples={state.evalExamples} recipe={recipe} limits={limits} /> : <p className="muted">computing…</p>}
      </details>
      {state.status === 'done' &&
        [...memoryWarnings(state.plan.largest, limits), budgetWarning(state.plan, budget)].filter((w) => w !== null).map((w) => (
          <p key={w} role="alert" className="error-text" data-testid="memory-warning">
            {w}
          </p>
        ))}
    </>
  );
}

function Breakdown({ plan, evalExamples, recipe, limits }: { plan: MemoryPlan; evalExamples: number; recipe: RecipeSettings; limits: Limits }) {
  const { largest } = plan;
  const binding = limits?.maxStorageBufferBindingSize;
  return (
    <>
      <ul>
        <li>
          Frozen weights{recipe.frozenWeightsF16 ? ' (linear ones in 16 bits)' : ''}: {formatBytes(plan.weights)}
        </li>
        <li>Trainable weights + gradients + AdamW m and v (one flat buffer each): {formatBytes(plan.trainable)}</li>
        <li>Activations kept for backward (code + query towers): {formatBytes(plan.activations)}</li>
        <li>Scratch (activation gradients, loss, optimizer, readback): {formatBytes(plan.scratch)}</li>
        <li>
          {plan.evaluation === null
            ? 'Evaluation: none planned (no validation pairs)'
            : `Evaluation of ${evalExamples.toLocaleString('en-US')} pairs at batch ${recipe.evalBatchSize}, on top of the step: ${formatBytes(plan.evaluation)}`}
        </li>
        <li>
          Largest single buffer: <code>{largest.label}</code>, {formatBytes(largest.bytes)}
          {binding !== undefined && ` (binding limit ${formatBytes(binding)})`}
        </li>
      </ul>
      <p className="muted">The engine's own buffers, counted by building the model and running one step without a GPU; the driver adds a little of its own.</p>
    </>
  );
}
