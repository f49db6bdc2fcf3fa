/** Trained adapter files on top of the loaded model, and evaluating the model without training. */
import { send } from './worker_client';
import { selectDataPlan } from './dataSlice';
import { useLab } from './store';
import { currentTuning } from './tuning_client';

export function loadAdapterFiles(files: readonly File[]): void {
  useLab.getState().setImportLoading();
  send({ type: 'load-adapter', files });
}

export function removeAdapter(): void {
  useLab.getState().clearImportedAdapter();
  send({ type: 'remove-adapter' });
}

/** The name of the adapter a run or an evaluation starts from now (null: fresh initialization). */
export function currentAdapter(): string | null {
  return useLab.getState().importedAdapter?.name ?? null;
}

/** Returns a message when there is nothing to evaluate yet. */
export function evaluateModel(): string | null {
  const state = useLab.getState();
  if (state.modelStatus !== 'ready') return 'Load a model first (the demo model is one click away).';
  const { plan, problem } = selectDataPlan(state);
  if (!plan) return problem;
  if (plan.valid.kind === 'none') return 'Evaluation needs validation pairs: drop a validation shard or hold out a fraction of the training shard (2 · Data).';
  if (!state.runConfig) return 'Fix the settings listed under “Before you can start” first.';
  state.setEvaluation({ status: 'running' });
  send({ type: 'evaluate', config: state.runConfig, data: plan, fromAdapter: currentAdapter(), matmulTuning: currentTuning() });
  return null;
}
