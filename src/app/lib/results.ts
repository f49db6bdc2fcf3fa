/** The runs of the page as rows of the thesis' results table (engine/report/results_table.ts), finished runs only. */
import { resultsTable, type ResultRow, type RunResult } from '../../engine/report/results_table';
import { pointScore, seedGroupKey, type RunRecord } from './run_types';

const FINISHED = new Set(['done', 'stopped']);

export function runResult(run: RunRecord): RunResult {
  const task = run.config.task;
  return {
    name: run.name,
    method: run.method,
    task,
    recipe: run.config.recipe,
    groupKey: seedGroupKey(run.config),
    trainable: run.trainable,
    metric: task.kind === 'classification' ? task.bestMetric : 'mrr',
    best: run.best ? pointScore(run.best) : null,
  };
}

export function resultRows(runs: readonly RunRecord[]): ResultRow[] {
  return resultsTable(runs.filter((r) => FINISHED.has(r.status)).map(runResult));
}
