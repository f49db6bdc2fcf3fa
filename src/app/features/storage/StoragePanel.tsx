/**
 * What the lab keeps in this browser — the model folder and shards of the workspace, the runs' checkpoints —
 * against the site's quota, with buttons that free each. Runs and curves (IndexedDB) are removed with Delete in
 * the runs table; the Hub cache is listed with the model picker.
 */
import { useEffect } from 'react';
import { Card } from '../../components/Card';
import { NumberField } from '../../components/fields';
import { formatBytes } from '../../lib/format';
import { send } from '../../store/worker_client';
import { useLab } from '../../store/store';

const refresh = (): void => send({ type: 'storage-report' });

export function StoragePanel() {
  const report = useLab((s) => s.storage);
  const every = useLab((s) => s.checkpointEvery);
  const setEvery = useLab((s) => s.setCheckpointEvery);
  const training = useLab((s) => s.activeRunId !== null);
  useEffect(refresh, []);
  const checkpointBytes = report?.checkpoints.reduce((n, c) => n + c.bytes, 0) ?? 0;
  return (
    <Card title="Kept in this browser" testId="storage-panel" actions={<button type="button" className="secondary" onClick={refresh}>Refresh</button>}>
      {report && !report.available && <p className="warn-text small">This browser gives the page no private file system: the model, shards and checkpoints are not kept across reloads.</p>}
      {report?.available && (
        <dl className="facts" data-testid="storage-facts">
          <dt>Model folder</dt>
          <dd>{formatBytes(report.modelBytes)}</dd>
          <dt>Shards</dt>
          <dd>{formatBytes(report.shardBytes)}</dd>
          <dt>Checkpoints</dt>
          <dd data-testid="storage-checkpoints">
            {report.checkpoints.length} ({formatBytes(checkpointBytes)})
          </dd>
          <dt>This site</dt>
          <dd>{report.usage !== null && report.quota !== null ? `${formatBytes(report.usage)} used of ${formatBytes(report.quota)} the browser allows` : 'usage unknown'}</dd>
        </dl>
      )}
      <div className="row">
        <button type="button" className="secondary" disabled={training || !report?.checkpoints.length} onClick={() => send({ type: 'storage-free', what: 'checkpoints' })} title="Stopped and interrupted runs can no longer be resumed">
          Free checkpoints
        </button>
        <button type="button" className="secondary" disabled={!report || report.modelBytes + report.shardBytes === 0} onClick={() => send({ type: 'storage-free', what: 'workspace' })} title="What is loaded now stays loaded until the page closes">
          Forget stored model and shards
        </button>
      </div>
      <div className="narrow-field">
        <NumberField label="Checkpoint every (steps)" testId="checkpoint-every" value={every} onChange={(v) => setEvery(typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : every)} help="Also at every evaluation and on Stop; 0: only then. Resume continues from the last one." />
      </div>
    </Card>
  );
}
