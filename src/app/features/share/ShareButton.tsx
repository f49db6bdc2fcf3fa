/** Copies a link that encodes the whole run configuration (never the data); the link is also shown to copy by hand. */
import { useId, useState } from 'react';
import { shareUrl } from '../../lib/share';
import { useLab } from '../../store/store';

export function ShareButton() {
  const runConfig = useLab((s) => s.runConfig);
  const [link, setLink] = useState<string | null>(null);
  const [copied, setCopied] = useState<boolean | null>(null);
  const id = useId();
  const share = async () => {
    if (!runConfig) return;
    const url = shareUrl(window.location, runConfig);
    setLink(url);
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <div className="share">
      <button type="button" className="secondary" onClick={share} disabled={!runConfig} data-testid="share">
        Copy share link
      </button>
      {link && (
        <label htmlFor={id} className="field share-link">
          <span className="field-label">{copied ? 'Copied. The link:' : 'Copy this link:'}</span>
          <input id={id} readOnly value={link} data-testid="share-link" onFocus={(e) => e.target.select()} />
        </label>
      )}
    </div>
  );
}
