/**
 * Run orchestration on the page: queue runs (one, or a sweep's grid), start the next when the Worker is free,
 * fold the Worker's events into records and curves, persist them, and delete or export them.
 */
import type { TrainerEvent } from '../../engine/train/events';
import type { RunConfig } from '../../engine/train/run_config';
import { methodLabel } from '../../engine/report/method_label';
import { deleteRun as deleteStored, loadAll, persistenceAvailable, saveRun } from '../lib/persist';
import type { RunFailure, RunRecord } from '../lib/run_types';
import { send } from './worker_client';
import type { ExportFormat, MemoryUse, RunAction } from '../worker/protocol';
import { currentAdapter } from './adapter';
import { selectDataPlan } from './dataSlice';
import { appendEvents, curvesOf, deleteCurves, flushNow, patchSoon, setCurves } from './metrics';
import { nextColor } from './runsSlice';
import { useLab } from './store';
import { currentTuning } from './tuning_client';
import { forgetPlan, planOf, rememberPlan } from './workspace_client';

/** Runs that ended in this page's life (the Worker still holds the weights of the successful ones). */
const endedHere = new Set<string>();
/** Runs the user asked to pause and has not resumed. */
const pauseRequested = new Set<string>();
/** Runs are saved while training too, so a reload mid-run keeps the curves up to that point. */
const SAVE_EVERY_MS = 10_000;
let lastSave = 0;

function newId(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Legends and tables tell runs apart by name: a repeated one gets " (2)", " (3)", ... */
function uniqueName(name: string, taken: Set<string>): string {
  let unique = name;
  for (let n = 2; taken.has(unique); n++) unique = `${name} (${n})`;
  taken.add(unique);
  return unique;
}

export interface QueueItem {
  readonly config: RunConfig;
  readonly name?: string;
}

/** Adds runs to the queue with the current data plan; returns a message when they cannot run. */
export function queueRuns(items: readonly QueueItem[], sweep: string | null = null): string | null {
  const state = useLab.getState();
  const { plan, problem } = selectDataPlan(state);
  if (!plan) return problem;
  if (state.modelStatus !== 'ready') return 'Load a model first (the demo model is one click away).';
  const fromAdapter = currentAdapter();
  let color = nextColor(state.runs);
  const names = new Set(state.runs.map((r) => r.name));
  const records: RunRecord[] = items.map((item) => {
    const method = methodLabel(item.config.peft);
    const record = newRecord(item.config, uniqueName(item.name ?? `${method} · seed ${item.config.recipe.seed}`, names), color++, { status: 'queued', sweep });
    rememberPlan(record.id, { data: plan, fromAdapter });
    return record;
  });
  state.addRuns(records);
  for (const record of records) void saveRun(record); // the queue outlives a reload
  pump();
  return null;
}

/** A fresh record: no steps, no metrics yet. */
function newRecord(config: RunConfig, name: string, color: number, rest: Pick<RunRecord, 'status' | 'sweep'> & Partial<RunRecord>): RunRecord {
  return {
    id: newId(),
    name,
    createdAt: Date.now(),
    config,
    method: methodLabel(config.peft),
    color,
    trainable: null,
    totalSteps: null,
    steps: 0,
    elapsedMs: 0,
    peakBytes: 0,
    best: null,
    final: null,
    failure: null,
    ...rest,
  };
}

/** Starts the next queued run when nothing is training (and the restored queue is not waiting). */
function pump(): void {
  const state = useLab.getState();
  if (state.activeRunId !== null || state.queueHeld) return;
  const next = state.runs.find((r) => r.status === 'queued');
  if (next) launch(next, false);
}

/** Sends a run to the Worker: a queued one from its first step, or a resumed one from its checkpoint. */
function launch(run: RunRecord, resume: boolean): void {
  const state = useLab.getState();
  const plan = planOf(run.id);
  if (!plan) return finish(run.id, { kind: 'data', message: 'This run lost its data plan (the page was reloaded, and the workspace was not kept).', advice: 'Queue it again.' });
  state.setActiveRun(run.id);
  state.patchRuns(new Map([[run.id, { status: 'preparing', failure: null }]]));
  void persist(run.id); // a reload from now on finds the run (interrupted), not nothing
  send({ type: 'start', runId: run.id, config: run.config, data: plan.data, fromAdapter: plan.fromAdapter, matmulTuning: currentTuning(), resume, checkpointEvery: state.checkpointEvery, memoryBudget: state.memoryBudget ? state.memoryBudget * 2 ** 30 : null });
}

/** Whether "Resume" can continue this run: it stopped in a way a new device can get past, and has a checkpoint and a data plan. */
export function canResume(run: RunRecord): boolean {
  const resumable = run.status === 'interrupted' || run.status === 'stopped' || (run.status === 'error' && run.failure !== null && GPU_FAILURES.has(run.failure.kind));
  return resumable && run.checkpointStep != null && planOf(run.id) !== null;
}

/** The failures a new device may get past (a diverged or misconfigured run would fail the same way again). */
const GPU_FAILURES = new Set(['device-lost', 'out-of-memory', 'internal']);

/** Continues a stopped, failed or interrupted run from its checkpoint on a new GPU device; the queue goes on after it. */
export function resumeRun(id: string): string | null {
  const state = useLab.getState();
  const run = state.runs.find((r) => r.id === id);
  if (!run || !canResume(run)) return 'This run has no checkpoint to continue from.';
  if (state.activeRunId !== null) return 'Another run is training: resume this one when it ends (or stop it).';
  if (state.modelStatus !== 'ready') return 'Load the model this run trained (it is restored with the workspace, or drop it again).';
  state.setQueueHeld(false);
  launch(run, true);
  return null;
}

/** The restored queue starts (after a reload nothing starts by itself). */
export function startHeldQueue(): void {
  useLab.getState().setQueueHeld(false);
  pump();
}

export function onRunCheckpoint(runId: string, step: number | null, problem: string | null): void {
  if (step !== null) {
    patchSoon(runId, { checkpointStep: step });
    // The record and its curves are saved with each checkpoint, so a reload finds the run where its checkpoint is.
    flushNow();
    void persist(runId);
  }
  if (problem) useLab.getState().setNotice(problem);
}

export function controlActiveRun(action: RunAction): void {
  const state = useLab.getState();
  const id = state.activeRunId;
  if (!id) return;
  send({ type: 'control', runId: id, action });
  // "paused" only once the Worker says the loop stopped at its gate (see onRunPaused).
  if (action === 'pause') pauseRequested.add(id);
  else pauseRequested.delete(id);
  if (action !== 'stop') patchSoon(id, { status: action === 'pause' ? 'pausing' : 'running' });
}

/** Stop the active run and drop every queued one. */
export function cancelQueue(): void {
  const state = useLab.getState();
  for (const r of state.runs) {
    if (r.status !== 'queued') continue;
    state.removeRun(r.id);
    forgetPlan(r.id);
  }
}

export function onRunPrepared(runId: string, classes?: readonly string[]): void {
  patchSoon(runId, { status: 'running', ...(classes ? { classes } : {}) });
}

export function onRunPaused(runId: string): void {
  // A resume may already have been sent: only a run still waiting to pause becomes paused.
  if (pauseRequested.has(runId)) patchSoon(runId, { status: 'paused' });
}

export function onRunEvents(runId: string, events: readonly TrainerEvent[], memory: MemoryUse): void {
  appendEvents(runId, events);
  patchSoon(runId, { peakBytes: memory.peak });
  useLab.getState().setMemory(memory.live, memory.peak);
  const now = performance.now();
  if (now - lastSave > SAVE_EVERY_MS) {
    lastSave = now;
    void persist(runId);
  }
}

async function persist(runId: string): Promise<void> {
  const run = useLab.getState().runs.find((r) => r.id === runId);
  if (run) await saveRun(run, curvesOf(runId));
}

function finish(runId: string, failure: RunFailure | null, memory?: MemoryUse): void {
  pauseRequested.delete(runId);
  endedHere.add(runId);
  flushNow();
  const state = useLab.getState();
  const run = state.runs.find((r) => r.id === runId);
  // The trainer's `done` event already said whether the run was stopped early.
  const status = failure ? 'error' : run?.status === 'stopped' ? 'stopped' : 'done';
  // A finished run is never resumed (the Worker deleted its checkpoint): its plan is not needed any more.
  if (status === 'done') {
    forgetPlan(runId);
    state.patchRuns(new Map([[runId, { checkpointStep: null }]]));
  }
  state.patchRuns(new Map([[runId, { status, failure, ...(memory && memory.peak > 0 ? { peakBytes: memory.peak } : {}) }]]));
  if (state.activeRunId === runId) state.setActiveRun(null);
  if (memory && memory.peak > 0) state.setMemory(0, memory.peak);
  void persist(runId);
  pump();
}

export function onRunEnded(runId: string, failure: RunFailure | null, memory: MemoryUse): void {
  finish(runId, failure, memory);
}

export function deleteRun(id: string): void {
  const state = useLab.getState();
  if (state.activeRunId === id) return;
  forgetPlan(id);
  state.removeRun(id);
  deleteCurves(id);
  void deleteStored(id);
  send({ type: 'storage-free', what: { runId: id } });
}

/** Whether the run ended since the page opened (runs loaded from storage did not). */
export function endedInThisPage(runId: string): boolean {
  return endedHere.has(runId);
}

export function exportWeights(runId: string, which: 'best' | 'final', format: ExportFormat = 'weights'): void {
  send({ type: 'export', runId, which, format });
}

/**
 * A run trained elsewhere (an exported project on a cluster, or the lab's CLI) as a finished run: its events are
 * folded into a record and curves exactly as a browser run's are, then saved.
 */
export function addImportedRun(config: RunConfig, events: readonly TrainerEvent[], failed: string | null, name: string): string {
  const state = useLab.getState();
  const failure = failed ? { kind: 'internal' as const, message: failed, advice: "See the run's own log on the machine it ran on." } : null;
  // 'running' until its events are folded in: a done event makes it done, its absence leaves it stopped below.
  const record = newRecord(config, uniqueName(name, new Set(state.runs.map((r) => r.name))), nextColor(state.runs), { status: 'running', sweep: null, failure });
  state.addRuns([record]);
  appendEvents(record.id, events);
  flushNow();
  const after = useLab.getState().runs.find((r) => r.id === record.id);
  // A run without its done event was cut off (or is still running there): it is shown as stopped.
  const status = failed ? 'error' : after?.status === 'running' ? 'stopped' : (after?.status ?? 'done');
  useLab.getState().patchRuns(new Map([[record.id, { status }]]));
  void persist(record.id);
  return record.id;
}

/**
 * Loads stored runs: runs that were training when the page closed are marked interrupted (Resume continues
 * them from their checkpoints); queued runs whose data plan was kept stay queued, and the queue waits for the
 * user to start it.
 */
export async function hydrateRuns(): Promise<void> {
  const [available, stored] = await Promise.all([persistenceAvailable(), loadAll()]);
  const live = new Set(['preparing', 'running', 'pausing', 'paused']);
  const runs = stored.runs.map((r) => (live.has(r.status) || (r.status === 'queued' && !planOf(r.id)) ? { ...r, status: 'interrupted' as const } : r));
  // Stored as interrupted too: what is kept says what happened, whatever reads it next.
  for (const [i, run] of runs.entries()) if (run !== stored.runs[i]) void saveRun(run);
  setCurves(stored.curves);
  useLab.getState().hydrateRuns(runs, available);
  if (runs.some((r) => r.status === 'queued')) useLab.getState().setQueueHeld(true);
  if (stored.setAside > 0) useLab.getState().setNotice(`${stored.setAside} stored run(s) could not be read (damaged, or written by another version of the lab): they were set aside and are not shown.`);
}
