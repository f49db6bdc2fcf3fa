/**
 * What the configuration costs, live while editing: trainable parameters (exact, and the thesis' convention
 * that leaves out adapter biases), as % of the model, and the GPU memory of a step from the engine's planner
 * (run in the Worker, see Memory.tsx) against the adapter's limits.
 */
import { useMemo } from 'react';
import { percentOf, planPeft } from '../../../engine/peft/plan';
import { NumberField } from '../../components/fields';
import { formatCount, formatPercent } from '../../lib/format';
import { selectTrainCount } from '../../store/dataSlice';
import { useLab } from '../../store/store';
import { estimateRunTime, formatDuration } from '../../lib/time_estimate';
import type { RecipeSettings } from '../../../engine/train/run_config';
import { MemoryDetails, MemoryTotal } from './Memory';

/** The run's steps: its step count, or its epochs over the training shard (the last partial batch dropped). */
function runSteps(recipe: RecipeSettings, examples: number | null): number | null {
  if (recipe.steps !== null) return recipe.steps;
  return examples === null ? null : Math.floor(recipe.epochs * Math.floor(examples / recipe.batchSize));
}

/** The estimate from this browser's benchmark (Device panel → Benchmark this GPU); no row until there is one. */
function RunTime({ steps, flops }: { readonly steps: number | null; readonly flops: number | null }) {
  const report = useLab((s) => s.benchmarkReport);
  if (!report) return null;
  const estimate = flops === null ? null : estimateRunTime(report, flops, steps);
  const basis = estimate && `${(estimate.flopsPerSecond / 1e12).toFixed(3)} TFLOPS: the median of ${estimate.methods} methods in this browser's benchmark of ${report.date.slice(0, 10)}${report.quick ? ' (quick: tiny shapes)' : ''}; evaluations come on top`;
  return (
    <>
      <dt>Time on this GPU</dt>
      {estimate ? (
        <dd data-testid="time-estimate" title={basis ?? undefined}>
          {estimate.totalSeconds !== null ? `about ${formatDuration(estimate.totalSeconds)}` : 'unknown length'}{' '}
          <span className="muted">({formatDuration(estimate.secondsPerStep)} a step, from the benchmark)</span>
        </dd>
      ) : (
        <dd data-testid="time-estimate" className="muted">—</dd>
      )}
    </>
  );
}

export function Cost() {
  const trainCount = useLab((s) => selectTrainCount(s));
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
        <RunTime steps={runSteps(runConfig.recipe, trainCount)} flops={memoryPlan.status === 'done' ? memoryPlan.plan.flopsPerStep : null} />
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
