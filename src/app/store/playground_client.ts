/** The playground's requests: the query and the models to search with, checked here before the Worker sees them. */
import type { RunConfig } from '../../engine/train/run_config';
import type { DataPlan } from '../worker/protocol';
import { currentAdapter } from './adapter';
import { selectDataPlan } from './dataSlice';
import { useLab } from './store';
import { send } from './worker_client';

/** What both requests need, or why there is nothing to search yet. */
function poolRequest(): { config: RunConfig; data: DataPlan; fromAdapter: string | null } | string {
  const state = useLab.getState();
  if (state.modelStatus !== 'ready') return 'Load a model first (the demo model is one click away).';
  const { plan, problem } = selectDataPlan(state);
  if (!plan) return problem ?? 'Drop a dataset shard first (2 · Data).';
  if (plan.valid.kind === 'none') return 'The pool is the validation pairs: drop a validation shard or hold out a fraction of the training shard (2 · Data).';
  if (!state.runConfig) return 'Fix the settings listed under “Before you can start” first.';
  if (state.runConfig.task.kind !== 'code-search') return 'This searches code: choose the code-search task.';
  return { config: state.runConfig, data: plan, fromAdapter: currentAdapter() };
}

/** `sources`: run ids of this session, or null for the loaded model (+ adapter). Returns a message when it cannot search. */
export function searchCode(query: string, sources: readonly (string | null)[], k = 5): string | null {
  const pool = poolRequest();
  if (typeof pool === 'string') return pool;
  useLab.getState().setPlayground({ status: 'running' });
  send({ type: 'search', query, k, sources, ...pool });
  return null;
}

/** Every validation query's gold rank under each source (the per-example analysis). */
export function rankExamples(sources: readonly (string | null)[]): string | null {
  const pool = poolRequest();
  if (typeof pool === 'string') return pool;
  useLab.getState().setExampleRanks({ status: 'running' });
  send({ type: 'example-ranks', sources, ...pool });
  return null;
}

/** One code's attention at a layer (0-based) under each source (the attention view). */
export function showAttention(code: string, layer: number, sources: readonly (string | null)[]): string | null {
  const state = useLab.getState();
  if (state.modelStatus !== 'ready') return 'Load a model first (the demo model is one click away).';
  if (!state.runConfig) return 'Fix the settings listed under “Before you can start” first.';
  state.setAttention({ status: 'running' });
  send({ type: 'attention', code, layer, sources, config: state.runConfig, fromAdapter: currentAdapter() });
  return null;
}

/** One model at every precision on the validation pairs: a run of this session (its id) or null for the loaded model. */
export function comparePrecisions(source: string | null): string | null {
  const pool = poolRequest();
  if (typeof pool === 'string') return pool;
  useLab.getState().setPrecision({ status: 'running', source });
  send({ type: 'precision-table', source, ...pool });
  return null;
}
