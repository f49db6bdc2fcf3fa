/** Tuning the matmul kernels for this GPU: the request from the current configuration, and the Worker's answers. */
import type { MatmulTuning } from '../../engine/kernels/matmul_tiles';
import { send } from './worker_client';
import type { TuneAnswer, WorkerResponse } from '../worker/protocol';
import { planRequestOf } from './memory_plan_client';
import { useLab } from './store';

/** Returns a message when there is nothing to tune for yet. */
export function startTuning(): string | null {
  const state = useLab.getState();
  if (state.activeRunId !== null) return 'A run is training: tune the kernels when it ends.';
  const request = planRequestOf(state);
  if (!request) return 'Fix the settings listed under “Before you can start” first: the shapes come from the configuration.';
  const { model, peft, recipe } = request;
  state.setTuneState({ status: 'running', done: 0, total: 0 });
  send({ type: 'tune-matmul', model, peft, recipe });
  return null;
}

export function cancelTuning(): void {
  send({ type: 'tune-cancel' });
}

export function onTuneAnswer(message: TuneAnswer): void {
  const state = useLab.getState();
  switch (message.type) {
    case 'tune-progress':
      return state.setTuneState({ status: 'running', done: message.done, total: message.total });
    case 'tune-done':
      return state.setTuned({ tuning: message.tuning, summary: message.summary });
    case 'tune-cancelled':
      return state.setTuneState({ status: 'cancelled' });
    case 'tune-error':
      return state.setTuneState({ status: 'error', message: message.message });
  }
}

/** The table a run or an evaluation sends along (the Worker also checks it belongs to its adapter). */
export function currentTuning(): MatmulTuning | null {
  return useLab.getState().matmulTuning?.tuning ?? null;
}

/** The step and evaluation benchmark in this browser: quick (a tiny model, seconds) or codebert-base's shapes. */
export function startBenchmark(quick: boolean): string | null {
  const state = useLab.getState();
  if (state.activeRunId !== null) return 'A run is training: benchmark when it ends.';
  state.setBenchmark({ status: 'running', lines: [] });
  send({ type: 'benchmark', quick, methods: null, matmulTuning: currentTuning() });
  return null;
}

export function onBenchmarkAnswer(message: Extract<WorkerResponse, { type: 'benchmark-progress' | 'benchmark-done' | 'benchmark-error' }>): void {
  const state = useLab.getState();
  if (message.type === 'benchmark-done') return state.setBenchmarkReport(message.report);
  if (message.type === 'benchmark-error') return state.setBenchmark({ status: 'error', message: message.message });
  const lines = state.benchmark.status === 'running' ? state.benchmark.lines : [];
  state.setBenchmark({ status: 'running', lines: [...lines.slice(-20), message.line] });
}
