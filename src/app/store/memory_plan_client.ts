/**
 * Keeps the memory slice in step with the configuration: when the model's shape, the PEFT configuration, the
 * recipe or the validation count change, the engine's planner is asked again in the Worker — debounced, so
 * typing a length plans once, and by request id, so an answer to an older configuration never overwrites a
 * newer one (the Worker answers in order, but a slow plan can still land after the user moved on).
 */
import type { MemoryPlanAnswer, MemoryPlanRequest, WorkerRequest } from '../worker/protocol';
import { selectValidCount } from './dataSlice';
import type { MemoryPlanState } from './memorySlice';
import type { LabState } from './store';

export const PLAN_DEBOUNCE_MS = 300;

/** What the planner is asked for the current state; null while the configuration does not validate. */
export function planRequestOf(s: LabState): MemoryPlanRequest | null {
  if (!s.runConfig) return null;
  const task = s.runConfig.task;
  // Before the data is read a classification run's class count is its class list's, or two: the head's size barely matters.
  const classes = task.kind === 'classification' ? (task.classes?.length ?? 2) : null;
  return { model: s.checkedModel.config, peft: s.runConfig.peft, recipe: s.runConfig.recipe, evalExamples: selectValidCount(s) ?? 0, classes };
}

export class MemoryPlanner {
  /** The id of the newest request; answers with another id are stale. */
  private latest = 0;
  private key = '';
  private pending: { readonly evalExamples: number } | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly send: (request: Extract<WorkerRequest, { type: 'plan-memory' }>) => void,
    private readonly publish: (state: MemoryPlanState) => void,
    private readonly delayMs = PLAN_DEBOUNCE_MS,
  ) {}

  /** The configuration to plan now; the same one again (by value) changes nothing. */
  update(request: MemoryPlanRequest | null): void {
    const key = request ? JSON.stringify(request) : '';
    if (key === this.key) return;
    this.key = key;
    this.latest += 1; // whatever is in flight is stale from here on
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (!request) return this.publish({ status: 'none' });
    this.publish({ status: 'computing' });
    const id = this.latest;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.pending = { evalExamples: request.evalExamples };
      this.send({ type: 'plan-memory', id, ...request });
    }, this.delayMs);
  }

  answer(message: MemoryPlanAnswer): void {
    if (message.id !== this.latest || !this.pending) return;
    const { evalExamples } = this.pending;
    this.pending = null;
    this.publish(message.type === 'memory-plan' ? { status: 'done', plan: message.plan, evalExamples } : { status: 'error', message: message.message });
  }
}
