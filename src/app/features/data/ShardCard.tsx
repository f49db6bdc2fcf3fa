/** One dropped shard: reading progress, then its report (examples, skipped lines and why), statistics, role. */
import { formatBytes } from '../../lib/format';
import type { ShardState } from '../../store/dataSlice';
import { removeShard } from '../../store/loaders';
import { useLab } from '../../store/store';
import { Histogram } from './Histogram';

function Progress({ shard }: { readonly shard: ShardState }) {
  const p = shard.progress;
  const total = p?.totalBytes ?? shard.size;
  const done = p && total ? Math.min(100, (100 * p.bytesRead) / total) : null;
  return (
    <div role="status" className="muted">
      Reading… {p ? `${p.examples.toLocaleString('en-US')} examples so far` : ''}
      {done !== null && <progress max={100} value={done} aria-label={`Reading ${shard.name}`} />}
    </div>
  );
}

function Skipped({ shard }: { readonly shard: ShardState }) {
  const r = shard.report!;
  if (r.skipped === 0) return null;
  const where = r.format === 'parquet' ? 'Row' : 'Line';
  return (
    <details className="skipped" open data-testid="skipped-lines">
      <summary>
        {r.skipped.toLocaleString('en-US')} record{r.skipped === 1 ? '' : 's'} skipped{r.firstSkipped.length < r.skipped ? ` (first ${r.firstSkipped.length} listed)` : ''}
      </summary>
      <ul>
        {r.firstSkipped.map((s) => (
          <li key={s.line}>
            {where} {s.line}: {s.reason}
          </li>
        ))}
      </ul>
    </details>
  );
}

export function ShardCard({ shard }: { readonly shard: ShardState }) {
  const isTrain = useLab((s) => s.trainShard === shard.id);
  const isValid = useLab((s) => s.validShard === shard.id && s.validMode === 'shard');
  const setRole = useLab((s) => s.setRole);
  const r = shard.report;
  return (
    <li className={`shard ${shard.status}`} data-testid="shard">
      <div className="shard-head">
        <strong>{shard.name}</strong>
        {shard.size !== null && <span className="muted">{formatBytes(shard.size)}</span>}
        {isTrain && <span className="tag">training</span>}
        {isValid && <span className="tag valid">validation</span>}
        <span className="spacer" />
        {shard.status === 'ready' && !isTrain && <button type="button" className="link" onClick={() => setRole(shard.id, 'train')}>Train on this</button>}
        {shard.status === 'ready' && !isValid && <button type="button" className="link" onClick={() => setRole(shard.id, 'valid')}>Validate on this</button>}
        <button type="button" className="link" aria-label={`Remove ${shard.name}`} onClick={() => removeShard(shard.id)}>Remove</button>
      </div>
      {shard.status === 'reading' && <Progress shard={shard} />}
      {shard.status === 'error' && <p role="alert" className="error-text">{shard.error}</p>}
      {r && (
        <p data-testid="shard-summary">
          <strong>{r.examples.toLocaleString('en-US')}</strong> examples ({r.format?.toUpperCase()}{r.gzip ? ', gzip' : ''}
          {r.mapping ? `; code from "${r.mapping.code}", query from "${r.mapping.query}"` : ''})
          {r.skipped > 0 ? ` · ${r.skipped.toLocaleString('en-US')} skipped` : ''}
        </p>
      )}
      {r && r.warnings.map((w) => <p key={w} className="warn-text small">{w}</p>)}
      {r && <Skipped shard={shard} />}
      {shard.stats && (
        <div className="histograms" data-testid="shard-stats">
          <Histogram title="Code" stats={shard.stats.code} />
          <Histogram title="Queries" stats={shard.stats.query} />
        </div>
      )}
    </li>
  );
}
