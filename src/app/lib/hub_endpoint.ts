/**
 * Pure helpers for the Hub download in the Model panel: which Hub the page talks to (`?hub=` overrides the
 * default, for mirrors and tests) and the one-line progress text under the bar.
 */
import { DEFAULT_ENDPOINT, type HubLoadProgress } from '../../engine/hub';
import { formatBytes, formatDuration } from './format';

export const DEFAULT_HUB_MODEL = 'microsoft/codebert-base';

export interface HubEndpoint {
  readonly endpoint: string;
  /** Set by `?hub=` (shown on the page, so a mirror is never used unnoticed). */
  readonly overridden: boolean;
  /** Why `?hub=` was not used (then the endpoint is the default). */
  readonly error: string | null;
}

/** The endpoint from the page's query string (`location.search`): an http(s) URL, else the default and why. */
export function parseHubEndpoint(search: string): HubEndpoint {
  const raw = new URLSearchParams(search).get('hub');
  if (raw === null || raw.trim() === '') return { endpoint: DEFAULT_ENDPOINT, overridden: false, error: null };
  let url: URL | null = null;
  try {
    url = new URL(raw.trim());
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '') {
    const error = `The address in ?hub= ("${raw}") is not an http(s) URL such as https://hf-mirror.example, so the Hub is ${DEFAULT_ENDPOINT}.`;
    return { endpoint: DEFAULT_ENDPOINT, overridden: false, error };
  }
  // A mirror may live under a path; its query and fragment mean nothing to the Hub's routes.
  const endpoint = `${url.origin}${url.pathname}`.replace(/\/+$/, '');
  return { endpoint, overridden: endpoint !== DEFAULT_ENDPOINT, error: null };
}

function timeLeft(seconds: number): string {
  return seconds < 60 ? `${Math.max(1, Math.ceil(seconds))} s left` : `${formatDuration(seconds * 1000)} left`;
}

/** "pytorch_model.bin (4 of 4) — 120 MiB of 476 MiB, 35.0 MiB/s, 10 s left" (bytes over all the files). */
export function hubProgressText(p: HubLoadProgress): string {
  if (p.phase === 'resolving') return `Looking up the files of ${p.modelId}…`;
  if (p.phase === 'done') return `${p.fileCount} files, ${formatBytes(p.received)}.`;
  const parts = [p.total === undefined ? formatBytes(p.received) : `${formatBytes(p.received)} of ${formatBytes(p.total)}`];
  if (p.fromCache) parts.push('from the cache');
  else if (p.bytesPerSecond > 0) parts.push(`${formatBytes(p.bytesPerSecond)}/s`);
  if (!p.fromCache && p.secondsLeft !== undefined) parts.push(timeLeft(p.secondsLeft));
  return `${p.file ?? ''} (${p.fileIndex + 1} of ${p.fileCount}) — ${parts.join(', ')}`;
}
