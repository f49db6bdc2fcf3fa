/**
 * What comes back from IndexedDB is checked before the page uses it: a record another version wrote, a
 * damaged one or a hand-edited one (`{id: 'x'}`, `config: null`) is set aside instead of crashing the page on
 * every reload. Only the shape is checked here; a run's configuration is parsed again when it is used.
 */
import { isMethodType } from '../../engine/peft/registry';
import { CODE_SEARCH } from '../../engine/train/task';
import type { EvalPoint, RunCurves, RunRecord, RunStatus } from './run_types';

const STATUSES: readonly RunStatus[] = ['queued', 'preparing', 'running', 'pausing', 'paused', 'done', 'stopped', 'error', 'interrupted'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const numOrNull = (v: unknown): boolean => v === null || isNum(v);

/** A code-search point has finite MRR and recalls; a classification point its `cls` numbers (its MRR is NaN). */
function isEvalPoint(v: unknown): v is EvalPoint {
  if (!isObj(v) || !isNum(v.step)) return false;
  if (v.cls === undefined) return ['mrr', 'recall1', 'recall5', 'recall10'].every((k) => isNum(v[k]));
  const c = v.cls;
  return isObj(c) && ['accuracy', 'precision', 'recall', 'f1', 'macroF1'].every((k) => isNum(c[k])) && numOrNull(c.auc) && typeof c.score === 'number' && Array.isArray(c.confusion);
}

function isConfig(v: unknown): boolean {
  if (!isObj(v) || !isStr(v.model) || !isStr(v.dataset) || !isObj(v.recipe) || !isObj(v.peft)) return false;
  const methods = v.peft.methods;
  return Array.isArray(methods) && methods.every((m) => isObj(m) && isMethodType(m.type));
}

/** Why a stored value is not a run record the page can show, or null when it is one. */
export function runRecordProblem(v: unknown): string | null {
  if (!isObj(v)) return 'not an object';
  if (!isStr(v.id) || !isStr(v.name) || !isStr(v.method) || !isNum(v.createdAt)) return 'id, name, method or createdAt missing';
  if (!STATUSES.includes(v.status as RunStatus)) return `unknown status ${JSON.stringify(v.status)}`;
  if (!isConfig(v.config)) return 'its configuration is missing or damaged';
  if (!Number.isInteger(v.color) || !isNum(v.steps) || !isNum(v.elapsedMs) || !isNum(v.peakBytes) || !numOrNull(v.totalSteps)) return 'a counter is missing';
  for (const k of ['best', 'final'] as const) if (v[k] !== null && !isEvalPoint(v[k])) return `${k} is damaged`;
  if (v.failure !== null && !(isObj(v.failure) && isStr(v.failure.kind) && isStr(v.failure.message) && isStr(v.failure.advice))) return 'failure is damaged';
  if (v.sweep !== null && !isStr(v.sweep)) return 'sweep is damaged';
  if (v.trainable !== null && !isObj(v.trainable)) return 'trainable is damaged';
  if (v.rounds !== undefined && !(Array.isArray(v.rounds) && v.rounds.every((r) => isObj(r) && isNum(r.round) && isNum(r.sparsity) && isNum(r.steps) && numOrNull(r.value)))) return 'rounds is damaged';
  if (v.checkpointStep !== undefined && v.checkpointStep !== null && !(Number.isSafeInteger(v.checkpointStep) && (v.checkpointStep as number) >= 0)) return 'checkpointStep is damaged';
  return null;
}

export function isRunCurves(v: unknown): v is RunCurves {
  if (!isObj(v) || !isStr(v.id)) return false;
  const arrays = ['step', 'loss', 'lr', 'gradNorm', 'tokensPerS'].every((k) => Array.isArray(v[k]) && (v[k] as unknown[]).every((x) => typeof x === 'number'));
  const elapsed = v.elapsedMs === undefined || (Array.isArray(v.elapsedMs) && v.elapsedMs.every((x) => typeof x === 'number'));
  const perEpoch = v.stepsPerEpoch === undefined || v.stepsPerEpoch === null || (Number.isSafeInteger(v.stepsPerEpoch) && (v.stepsPerEpoch as number) > 0);
  return arrays && elapsed && perEpoch && Array.isArray(v.evals) && v.evals.every(isEvalPoint);
}

/** Curves stored before wall time and epochs were kept: the step axis still works, the others leave them out. */
function withTimes(c: RunCurves): RunCurves {
  const stored = c as Partial<RunCurves> & RunCurves;
  return { ...c, elapsedMs: stored.elapsedMs ?? [], stepsPerEpoch: stored.stepsPerEpoch ?? null };
}

export interface SortedRuns {
  readonly runs: RunRecord[];
  readonly curves: RunCurves[];
  /** Stored values that are not runs, with why: set aside, never shown. */
  readonly unreadable: { readonly value: unknown; readonly problem: string }[];
}

/** Records stored before tasks existed are code-search runs. */
function withTask(r: RunRecord): RunRecord {
  const task = (r.config as { task?: RunRecord['config']['task'] }).task;
  return task ? r : { ...r, config: { ...r.config, task: CODE_SEARCH } };
}

export function sortStored(runs: readonly unknown[], curves: readonly unknown[]): SortedRuns {
  const good: RunRecord[] = [];
  const unreadable: SortedRuns['unreadable'] = [];
  for (const value of runs) {
    const problem = runRecordProblem(value);
    if (problem) unreadable.push({ value, problem });
    else good.push(withTask(value as RunRecord));
  }
  const ids = new Set(good.map((r) => r.id));
  return { runs: good.sort((a, b) => a.createdAt - b.createdAt), curves: curves.filter(isRunCurves).filter((c) => ids.has(c.id)).map(withTimes), unreadable };
}
