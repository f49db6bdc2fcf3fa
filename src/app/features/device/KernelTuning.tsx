/**
 * "Tune kernels for this GPU": the Worker times every matmul tile on the current configuration's matmul
 * shapes, and the table it returns is kept per adapter and sent with every run. Shapes the table does not
 * name keep the default tile, so tuning for one configuration never slows another.
 */
import { useState } from 'react';
import { tuningSummaryText } from '../../lib/tuning_storage';
import { useLab } from '../../store/store';
import { cancelTuning, startTuning } from '../../store/tuning_client';

function TuneProgress({ done, total }: { readonly done: number; readonly total: number }) {
  return (
    <div role="status" data-testid="tune-progress">
      <progress aria-label="Kernel tuning progress" max={total || undefined} value={total ? done : undefined} />
      <span className="muted">{total ? `Timing matmul shape ${done + 1} of ${total}…` : 'Finding the configuration’s matmul shapes…'}</span>
    </div>
  );
}

export function KernelTuning() {
  const saved = useLab((s) => s.matmulTuning);
  const state = useLab((s) => s.tuneState);
  const training = useLab((s) => s.activeRunId !== null);
  const clear = useLab((s) => s.clearMatmulTuning);
  const [problem, setProblem] = useState<string | null>(null);
  const running = state.status === 'running';
  const tune = () => setProblem(startTuning());
  return (
    <div className="selfcheck">
      <div className="row">
        <button type="button" onClick={tune} disabled={running || training}>
          {saved ? 'Re-tune kernels' : 'Tune kernels for this GPU'}
        </button>
        {running && (
          <button type="button" onClick={cancelTuning}>
            Cancel
          </button>
        )}
        {saved && !running && (
          <button type="button" onClick={clear}>
            Clear tuning
          </button>
        )}
      </div>
      {running && <TuneProgress done={state.done} total={state.total} />}
      {problem && <p className="error-text">{problem}</p>}
      {state.status === 'error' && <p role="alert" className="error-text">{state.message}</p>}
      {state.status === 'cancelled' && <p className="muted">Tuning stopped before the end (cancelled, or a run started); nothing changed.</p>}
      {saved ? (
        <p role="status" data-testid="tune-summary">
          {tuningSummaryText(saved.summary)}{' '}
          <span className="muted">
            Measured {new Date(saved.summary.date).toLocaleString()} on the configuration set then. Runs use it; shapes it does not list keep the default tile.
          </span>
        </p>
      ) : (
        !running && <p className="muted">Every run uses the default matmul tile. Tuning times each tile on the matmul shapes of the current model, method and recipe.</p>
      )}
    </div>
  );
}
