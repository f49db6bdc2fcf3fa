/** The playground's requests: the query and the models to search with, checked here before the Worker sees them. */
import { currentAdapter } from './adapter';
import { selectDataPlan } from './dataSlice';
import { useLab } from './store';
import { send } from './worker_client';

/** `sources`: run ids of this session, or null for the loaded model (+ adapter). Returns a message when it cannot search. */
export function searchCode(query: string, sources: readonly (string | null)[], k = 5): string | null {
  const state = useLab.getState();
  if (state.modelStatus !== 'ready') return 'Load a model first (the demo model is one click away).';
  const { plan, problem } = selectDataPlan(state);
  if (!plan) return problem;
  if (plan.valid.kind === 'none') return 'The playground searches the validation pairs: drop a validation shard or hold out a fraction of the training shard (2 · Data).';
  if (!state.runConfig) return 'Fix the settings listed under “Before you can start” first.';
  if (state.runConfig.task.kind !== 'code-search') return 'The playground searches code: choose the code-search task.';
  state.setPlayground({ status: 'running' });
  send({ type: 'search', query, k, sources, config: state.runConfig, data: plan, fromAdapter: currentAdapter() });
  return null;
}
