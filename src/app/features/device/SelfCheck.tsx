/** Runs every kernel against its CPU twin on this GPU and lists the outcome. */
import { runSelfCheck } from '../../store/responses';
import { useLab } from '../../store/store';

export function SelfCheck() {
  const results = useLab((s) => s.selfCheck);
  const running = useLab((s) => s.selfCheckRunning);
  const failed = results?.filter((r) => !r.ok) ?? [];
  return (
    <div className="selfcheck">
      <button type="button" onClick={runSelfCheck} disabled={running}>
        {running ? 'Checking kernels…' : 'Check kernels on this GPU'}
      </button>
      {results && (
        <p role="status" data-testid="selfcheck-summary" className={failed.length ? 'error-text' : 'ok-text'}>
          {failed.length === 0
            ? `All ${results.length} kernels match their CPU references.`
            : `${failed.length} of ${results.length} kernels disagree with their CPU references: ${failed
                .map((r) => `${r.kernel} (${r.error ?? `max diff ${r.maxAbsDiff.toExponential(2)}`})`)
                .join(', ')}`}
        </p>
      )}
    </div>
  );
}
