/** The models the browser keeps from earlier Hub downloads, with their sizes and a button to remove each. */
import { useEffect } from 'react';
import { DEFAULT_ENDPOINT } from '../../../engine/hub';
import { formatBytes } from '../../lib/format';
import { listCachedModels, removeCachedModel } from '../../store/loaders';
import { useLab } from '../../store/store';

function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
}

export function CachedModels() {
  const listing = useLab((s) => s.hubCache);
  useEffect(listCachedModels, []);
  if (!listing) return null;
  if (!listing.available) return <p className="muted small">This browser gives the page no Cache Storage: downloads are not kept between visits.</p>;
  if (listing.models.length === 0) return null;
  const quota = listing.quota !== undefined ? ` (the browser allows this site up to ${formatBytes(listing.quota)})` : '';
  return (
    <details className="small" data-testid="cached-models">
      <summary>
        Cached models: {listing.models.length}, {formatBytes(listing.bytes)}
        {quota}
      </summary>
      <ul className="cached-models">
        {listing.models.map((m) => (
          <li key={`${m.endpoint} ${m.modelId} ${m.revision}`} data-testid="cached-model">
            {m.modelId}
            {m.revision !== 'main' && ` @ ${m.revision}`}
            {m.endpoint !== DEFAULT_ENDPOINT && <span className="muted"> ({hostOf(m.endpoint)})</span>} — {formatBytes(m.bytes)}
            {!m.complete && <span className="muted"> (partial: Download resumes it)</span>}{' '}
            <button type="button" className="link" onClick={() => removeCachedModel(m.modelId)} aria-label={`Remove ${m.modelId} from the cache`}>
              Remove
            </button>
          </li>
        ))}
      </ul>
    </details>
  );
}
