/**
 * After a reload: the runs the closed page was training, each with "Resume" (from its checkpoint), and the
 * queued runs, which wait for "Start the queue" — nothing starts by itself on a page the user just opened.
 */
import { useShallow } from 'zustand/react/shallow';
import { canResume, resumeRun, startHeldQueue } from '../../store/runner';
import { useLab } from '../../store/store';

export function Interrupted() {
  const interrupted = useLab(useShallow((s) => s.runs.filter((r) => r.status === 'interrupted')));
  const held = useLab((s) => (s.queueHeld ? s.runs.filter((r) => r.status === 'queued').length : 0));
  const busy = useLab((s) => s.activeRunId !== null);
  const modelReady = useLab((s) => s.modelStatus === 'ready');
  const setNotice = useLab((s) => s.setNotice);
  if (interrupted.length === 0 && held === 0) return null;
  return (
    <div className="banner info" role="status" data-testid="interrupted">
      <div>
        {interrupted.length > 0 && <p>The page closed while {interrupted.length === 1 ? 'this run was' : 'these runs were'} training:</p>}
        <ul className="plain">
          {interrupted.map((run) => (
            <li key={run.id}>
              <strong>{run.name}</strong>{' '}
              {canResume(run) ? (
                <>
                  <span className="muted">— saved at step {run.checkpointStep!.toLocaleString('en-US')} of {run.totalSteps?.toLocaleString('en-US') ?? '?'}</span>{' '}
                  <button type="button" className="secondary" disabled={busy || !modelReady} onClick={() => setNotice(resumeRun(run.id))} data-testid="resume-interrupted">
                    Resume
                  </button>
                </>
              ) : (
                <span className="muted">— no checkpoint was kept (it stopped before its first one): queue it again.</span>
              )}
            </li>
          ))}
        </ul>
        {!modelReady && interrupted.some(canResume) && <p className="muted small">Resume is possible once the model has loaded again.</p>}
        {held > 0 && (
          <p>
            {held} queued run{held === 1 ? ' waits' : 's wait'}.{' '}
            <button type="button" className="secondary" disabled={!modelReady} onClick={startHeldQueue} data-testid="start-queue">
              Start the queue
            </button>
          </p>
        )}
      </div>
    </div>
  );
}
