/**
 * A model by its Hugging Face Hub id: Download (the Worker fetches the files, or reads them from the browser's
 * cache), a progress bar with the file, bytes, speed and time left, Cancel, and how it ended. The files then
 * load exactly as a dropped folder does.
 */
import { useMemo, useState } from 'react';
import { TextField } from '../../components/fields';
import { formatBytes } from '../../lib/format';
import { DEFAULT_HUB_MODEL, hubProgressText } from '../../lib/hub_endpoint';
import { cancelHubDownload, downloadFromHub, pageHubEndpoint } from '../../store/loaders';
import { useLab } from '../../store/store';
import { CachedModels } from './CachedModels';

function HubProgress() {
  const progress = useLab((s) => s.hubProgress);
  const total = progress?.total;
  return (
    <div className="hub-progress" data-testid="hub-progress">
      {/* Without a total (still resolving) the bar is indeterminate. */}
      <progress aria-label="Hub download progress" max={total ?? undefined} value={total !== undefined && progress ? progress.received : undefined} />
      <p className="muted small" role="status">
        {progress ? hubProgressText(progress) : 'Starting…'}
      </p>
    </div>
  );
}

function HubOutcome() {
  const status = useLab((s) => s.hubStatus);
  const done = useLab((s) => s.hubDownloaded);
  const warnings = useLab((s) => s.hubWarnings);
  const error = useLab((s) => s.hubError);
  if (status === 'error' && error) {
    const text = error.charAt(0).toUpperCase() + error.slice(1);
    return (
      <p role="alert" className="error-text" data-testid="hub-error">
        {text}
      </p>
    );
  }
  if (status === 'cancelled') return <p className="muted small" data-testid="hub-status">Cancelled. What arrived is kept: Download again to resume where it stopped.</p>;
  if (status !== 'downloaded' || !done) return null;
  return (
    <>
      <p className="small" data-testid="hub-status">
        {done.fromCache ? `Loaded ${done.modelId} from the cache (${formatBytes(done.bytes)}, nothing downloaded).` : `Downloaded ${done.modelId} (${formatBytes(done.bytes)}); it is cached for the next visit.`}
      </p>
      {warnings.map((w) => (
        <p key={w} className="warn-text small">
          {w}
        </p>
      ))}
    </>
  );
}

export function HubDownload() {
  const status = useLab((s) => s.hubStatus);
  const [hubId, setHubId] = useState(DEFAULT_HUB_MODEL);
  const hub = useMemo(pageHubEndpoint, []);
  const downloading = status === 'downloading';
  return (
    <div className="hub" data-testid="hub-panel">
      <div className="row hub-row">
        <TextField label="Hugging Face Hub id" value={hubId} onChange={setHubId} placeholder={DEFAULT_HUB_MODEL} disabled={downloading} testId="hub-id" />
        <button type="button" onClick={() => downloadFromHub(hubId)} disabled={downloading || hubId.trim() === ''} data-testid="hub-download">
          Download
        </button>
        {downloading && (
          <button type="button" className="secondary" onClick={cancelHubDownload} data-testid="hub-cancel">
            Cancel
          </button>
        )}
      </div>
      <p className="field-help">The files are kept in this browser: a second load needs no network, and a broken download resumes.</p>
      {hub.overridden && (
        <p className="warn-text small" data-testid="hub-endpoint">
          Hub: {hub.endpoint} (set by ?hub= in the address)
        </p>
      )}
      {hub.error && (
        <p role="alert" className="error-text small" data-testid="hub-endpoint-error">
          {hub.error}
        </p>
      )}
      {downloading && <HubProgress />}
      <HubOutcome />
      <CachedModels />
    </div>
  );
}
