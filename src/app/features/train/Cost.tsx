/**
 * What the configuration costs, live while editing: trainable parameters (exact, and the thesis' convention
 * that leaves out adapter biases), as % of the model, and the estimated GPU memory of a step against the
 * adapter's limits (formula in docs/UI.md).
 */
import { useMemo } from 'react';
import { percentOf, planPeft } from '../../../engine/peft/plan';
import { formatBytes, formatCount, formatPercent } from '../../lib/format';
import { estimateStepMemory, memoryWarnings } from '../../lib/memory';
import { selectValidCount } from '../../store/dataSlice';
import { useLab } from '../../store/store';

export function Cost() {
  const runConfig = useLab((s) => s.runConfig);
  const checked = useLab((s) => s.checkedModel);
  const validCount = useLab(selectValidCount);
  const limits = useLab((s) => s.adapter?.limits ?? null);
  const plan = useMemo(() => (runConfig ? planPeft(checked.config, runConfig.peft) : null), [runConfig, checked]);
  const memory = useMemo(() => (plan && runConfig ? estimateStepMemory(plan, runConfig.recipe, validCount) : null), [plan, runConfig, validCount]);
  if (!plan || !memory) return <p className="muted">Fix the settings above to see the cost.</p>;
  const warnings = memoryWarnings(memory, limits);
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
        <dd data-testid="memory-estimate">≈ {formatBytes(memory.total)}</dd>
      </dl>
      {checked.note && <p className="muted small">Counted for {checked.note}.</p>}
      <details className="small">
        <summary>Memory breakdown</summary>
        <ul>
          {memory.parts.map((p) => (
            <li key={p.label}>
              {p.label}: {formatBytes(p.bytes)}
            </li>
          ))}
          <li>
            Largest single buffer: {memory.largest.label}, {formatBytes(memory.largest.bytes)}
            {limits?.maxStorageBufferBindingSize !== undefined && ` (limit ${formatBytes(limits.maxStorageBufferBindingSize)})`}
          </li>
        </ul>
      </details>
      {warnings.map((w) => (
        <p key={w} role="alert" className="error-text" data-testid="memory-warning">
          {w}
        </p>
      ))}
    </div>
  );
}
