/**
 * Every failure of a Hub download is one HubError whose message says what failed and offers the local route
 * (drop a downloaded folder, or the demo model), so the UI and the CLI can show it as it is. `kind` lets a
 * caller react (e.g. offer "Try again" for `interrupted`, hide the error for `aborted`).
 */

export type HubErrorKind =
  | 'bad-id' // the model id is not owner/name
  | 'offline' // the endpoint could not be reached at all
  | 'unauthorized' // 401/403: gated or private (or, unauthenticated, nonexistent)
  | 'not-found' // 404: no such model, revision or file
  | 'incomplete' // no config.json or no tokenizer files in the repository
  | 'no-weights' // no model.safetensors anywhere and no pytorch_model.bin
  | 'interrupted' // the connection dropped mid-file; what arrived is kept and the next try resumes
  | 'truncated' // the body ended cleanly but its size is wrong; what arrived is discarded
  | 'aborted' // the caller's AbortSignal fired; what arrived is kept
  | 'http' // any other status (429, 5xx, ...)
  | 'bad-response'; // the Hub's API answered something that is not the JSON it documents

export class HubError extends Error {
  readonly kind: HubErrorKind;
  /** The request that failed, when there is one. */
  readonly url: string | undefined;
  readonly status: number | undefined;
  constructor(kind: HubErrorKind, message: string, details: { url?: string; status?: number } = {}) {
    super(message);
    this.name = 'HubError';
    this.kind = kind;
    this.url = details.url;
    this.status = details.status;
  }
}

export const LOCAL_ROUTE = 'Download the files yourself and drop the folder, or use the bundled demo model.';

export function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
}

export function offlineError(endpoint: string, url: string): HubError {
  return new HubError('offline', `could not reach ${hostOf(endpoint)} (network error). ${LOCAL_ROUTE}`, { url });
}

export function abortedError(what: string, url: string): HubError {
  return new HubError('aborted', `The download of ${what} was cancelled.`, { url });
}

/** `x-error-code` is how the Hub tells gated, missing repository, revision and file apart; browsers may hide it. */
function errorCode(response: Response): string {
  return response.headers.get('x-error-code') ?? '';
}

/** The error for a non-OK answer to a request about `what` (a model id or "the file X of model Y"). */
export function statusError(response: Response, modelId: string, what: string): HubError {
  const status = response.status;
  const details = { url: response.url, status };
  const code = errorCode(response);
  if (status === 404 || code === 'RepoNotFound' || code === 'RevisionNotFound' || code === 'EntryNotFound') {
    const missing =
      code === 'RevisionNotFound'
        ? `${modelId} has no such revision`
        : code === 'EntryNotFound'
          ? `${what} does not exist`
          : what === modelId
            ? // Without a login the Hub answers 401 RepoNotFound for private repositories too.
              `there is no model ${modelId} on the Hub${status === 401 ? ' (or it is private and needs an access token)' : ''}`
            : `${what} was not found (${status})`;
    return new HubError('not-found', `${missing}. Check the id (owner/name, as in huggingface.co/microsoft/codebert-base). ${LOCAL_ROUTE}`, details);
  }
  if (status === 401 || status === 403) {
    const why =
      code === 'GatedRepo'
        ? `${modelId} is gated: its authors ask you to accept their terms on huggingface.co first`
        : `the Hub refused access to ${what} (${status}): the repository is gated or private (or does not exist: the Hub answers the same without a login)`;
    return new HubError('unauthorized', `${why}. Accept the terms on the model's page and give an access token, or: ${LOCAL_ROUTE}`, details);
  }
  if (status === 429) return new HubError('http', `the Hub is rate-limiting requests (429) for ${what}. Wait a minute and try again, or: ${LOCAL_ROUTE}`, details);
  const server = status >= 500 ? 'the Hub had a problem' : 'the Hub answered with an unexpected status';
  return new HubError('http', `${server} (${status}) while fetching ${what}. Try again later, or: ${LOCAL_ROUTE}`, details);
}

/** Cache Storage, OPFS and IndexedDB all reject with a DOMException named QuotaExceededError. */
export function isQuotaError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'QuotaExceededError';
}

export function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
