/**
 * Start, pause, resume and stop; what still blocks a start; the live step readout (updated by a transient
 * store subscription, outside React renders); and the last failure with what to do next.
 */
import { useEffect, useRef } from 'react';
import { moduleFor } from '../../../engine/peft/registry';
import { Card } from '../../components/Card';
import { formatDuration, formatMetric, formatValue } from '../../lib/format';
import { pointScore, type RunRecord } from '../../lib/run_types';
import { curvesOf } from '../../store/metrics';
import { selectDataPlan } from '../../store/dataSlice';
import { controlActiveRun, endedInThisPage, exportWeights, queueRuns } from '../../store/runner';
import { useLab, type LabState } from '../../store/store';
import { Cost } from './Cost';

function readout(s: LabState): string {
  const run = s.runs.find((r) => r.id === s.activeRunId);
  if (!run) return '';
  if (run.status === 'preparing') return 'Tokenizing the data and compiling kernels…';
  const loss = curvesOf(run.id)?.loss.at(-1);
  const total = run.totalSteps === null ? '' : ` of ${run.totalSteps.toLocaleString('en-US')}`;
  const mrr = run.final ? ` · ${run.final.cls ? `accuracy ${formatMetric(run.final.cls.accuracy)} · F1 ${formatMetric(run.final.cls.f1)}` : `MRR ${formatMetric(run.final.mrr)}`}` : '';
  return `Step ${run.steps.toLocaleString('en-US')}${total} · loss ${formatValue(loss ?? null)}${mrr} · ${formatDuration(run.elapsedMs)}`;
}

function LiveReadout() {
  const ref = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    const write = (s: LabState): void => {
      if (ref.current) ref.current.textContent = readout(s);
    };
    write(useLab.getState());
    return useLab.subscribe(write);
  }, []);
  return <span ref={ref} className="readout" data-testid="live-readout" />;
}

function blockers(s: LabState): string[] {
  const out: string[] = [];
  if (s.modelStatus !== 'ready') out.push('Load a model (the demo model is one click away).');
  const { problem } = selectDataPlan(s);
  if (problem) out.push(problem);
  return [...out, ...s.configProblems];
}

function Failure({ run }: { readonly run: RunRecord }) {
  const f = run.failure!;
  return (
    <div role="alert" className="failure" data-testid="run-failure">
      <strong>{run.name} failed.</strong> {f.message}
      <p>
        <strong>What to do:</strong> {f.advice}
      </p>
    </div>
  );
}

export function TrainPanel() {
  const runConfig = useLab((s) => s.runConfig);
  const problems = useLab((s) => blockers(s).join('\n'));
  // The active run's name and status only: its step counter changes often and is drawn by LiveReadout alone.
  const activeName = useLab((s) => s.runs.find((r) => r.id === s.activeRunId)?.name ?? null);
  const activeStatus = useLab((s) => s.runs.find((r) => r.id === s.activeRunId)?.status ?? null);
  const active = activeName === null ? null : { name: activeName, status: activeStatus };
  const queued = useLab((s) => s.runs.filter((r) => r.status === 'queued').length);
  // Only runs that ended since the page opened: the Worker holds their weights, and their errors are news.
  const last = useLab((s) => s.runs.findLast((r) => endedInThisPage(r.id)) ?? null);
  const setNotice = useLab((s) => s.setNotice);
  const start = () => {
    if (!runConfig) return;
    const problem = queueRuns([{ config: runConfig }]);
    if (problem) setNotice(problem);
  };
  const list = problems ? problems.split('\n') : [];
  return (
    <Card title="6 · Train" testId="train-panel">
      <Cost />
      {list.length > 0 && (
        <div className="blockers" data-testid="blockers">
          <p>Before you can start:</p>
          <ul>{list.map((p) => <li key={p}>{p}</li>)}</ul>
        </div>
      )}
      <div className="row">
        <button type="button" className="primary" onClick={start} disabled={list.length > 0 || !runConfig} data-testid="start">
          {active ? 'Queue another run' : 'Start training'}
        </button>
        {active && (active.status === 'running' || active.status === 'preparing') && <button type="button" onClick={() => controlActiveRun('pause')}>Pause</button>}
        {active?.status === 'pausing' && <button type="button" disabled>Pausing after this step…</button>}
        {active?.status === 'paused' && <button type="button" onClick={() => controlActiveRun('resume')}>Resume</button>}
        {active && <button type="button" className="danger" onClick={() => controlActiveRun('stop')}>Stop</button>}
        {queued > 0 && <span className="muted">{queued} queued</span>}
      </div>
      {active && (
        <p role="status" aria-live="off">
          <strong>{active.name}</strong> — <LiveReadout />
        </p>
      )}
      {last?.status === 'error' && last.failure && !active && <Failure run={last} />}
      {last && last.status !== 'error' && !active && (
        <div className="row small">
          <span>
            Last run: <strong>{last.name}</strong> ({last.status}, best {last.config.task.kind === 'classification' ? last.config.task.bestMetric : 'MRR'} {formatMetric(last.best ? pointScore(last.best) : undefined)}). Download its weights:
          </span>
          <button type="button" className="secondary" onClick={() => exportWeights(last.id, 'best')}>Best</button>
          <button type="button" className="secondary" onClick={() => exportWeights(last.id, 'final')}>Final</button>
          {mergeable(last) && (
            <>
              <span className="muted">or, best weights as a whole model:</span>
              <button type="button" className="secondary" onClick={() => exportWeights(last.id, 'best', 'merged')} title="A Hugging Face model folder with LoRA merged into the weights: AutoModel.from_pretrained loads it">Merged model</button>
              <button type="button" className="secondary" onClick={() => exportWeights(last.id, 'best', 'sentence-transformers')} title="SentenceTransformer(folder).encode(texts) gives this run's embeddings">sentence-transformers</button>
            </>
          )}
        </div>
      )}
    </Card>
  );
}

/** Adapters and prefixes add layers a plain RobertaModel has not: such runs export as adapters only. */
function mergeable(run: RunRecord): boolean {
  return run.config.peft.methods.every((m) => moduleFor(m).mergeable);
}
