/**
 * What the configuration costs, live while editing: trainable parameters (exact, and the thesis' convention
 * that leaves out adapter biases), as % of the model, and the GPU memory of a step from the engine's planner
 * (run in the Worker, see Memory.tsx) against the adapter's limits.
 */
import { useMemo } from 'react';
import { percentOf, planPeft } from '../../../engine/peft/plan';
import { NumberField } from '../../components/fields';
import { formatCount, formatPercent } from '../../lib/format';
import { useLab } from '../../store/store';
import { MemoryDetails, MemoryTotal } from './Memory';

export function Cost() {
  const runConfig = useLab((s) => s.runConfig);
  const checked = useLab((s) => s.checkedModel);
  const memoryPlan = useLab((s) => s.memoryPlan);
  const limits = useLab((s) => s.adapter?.limits ?? null);
  const budget = useLab((s) => s.memoryBudget);
  const setBudget = useLab((s) => s.setMemoryBudget);
  const plan = useMemo(() => (runConfig ? planPeft(checked.config, runConfig.peft) : null), [runConfig, checked]);
  if (!plan || !runConfig) return <p className="muted">Fix the settings above to see the cost.</p>;
  return (
    <div className="cost" data-testid="cost">
      <dl className="facts">
        <dt>Trainable parameters</dt>
        <dd data-testid="trainable-exact">
          {formatCount(plan.exactTrainable)} ({formatPercent(percentOf(plan.exactTrainable, plan.baseTotal))} of {formatCount(plan.baseTotal)})
        </dd>
        <dt>Thesis' count</dt>
        <dd data-testid="trainable-paper">
          {formatCount(plan.paperTrainable)} ({formatPercent(percentOf(plan.paperTrainable, plan.baseTotal))}) <span className="muted small">without adapter biases</span>
        </dd>
        <dt>GPU memory per step</dt>
        <MemoryTotal state={memoryPlan} />
      </dl>
      {checked.note && <p className="muted small">Counted for {checked.note}.</p>}
      <MemoryDetails state={memoryPlan} recipe={runConfig.recipe} limits={limits} budget={budget || null} />
      <div className="narrow-field">
        <NumberField
          label="GPU memory budget (GiB)"
          testId="memory-budget"
          value={budget}
          onChange={(v) => setBudget(typeof v === 'number' && v >= 0 && Number.isFinite(v) ? v : null)}
          help="Browsers do not say how much memory the GPU has: give it, and a run that needs more is refused before it starts. Empty or 0: none."
        />
      </div>
    </div>
  );
}
