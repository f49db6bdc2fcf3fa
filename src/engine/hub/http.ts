/**
 * The Hub's public endpoints and the one place a request is made: network failures become the `offline`
 * error, an aborted signal the `aborted` one, so the rest of the module only sees Responses or HubErrors.
 */
import { abortedError, HubError, isAbortError, offlineError, statusError } from './errors';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';
export const DEFAULT_REVISION = 'main';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface HubRequestOptions {
  /** Hub base URL (a mirror, or a local imitation in tests). */
  readonly endpoint?: string;
  /** A Hugging Face access token for gated or private models; sent as a Bearer token. */
  readonly accessToken?: string;
  readonly fetchImpl?: FetchLike;
  readonly signal?: AbortSignal;
}

const ID_PART = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * `owner/name`, also accepted as a model page URL (`https://huggingface.co/owner/name/tree/main`). Legacy
 * ids without an owner (`roberta-base`) are kept: the Hub redirects them.
 */
export function parseModelId(input: string): string {
  let text = input.trim();
  const page = /^https?:\/\/[^/]+\/(.+)$/.exec(text);
  if (page) text = page[1]!.split('/').slice(0, 2).join('/');
  text = text.replace(/\/+$/, '');
  const parts = text.split('/');
  if (parts.length > 2 || !parts.every((p) => ID_PART.test(p) && !p.includes('..'))) {
    throw new HubError('bad-id', `"${input}" is not a Hugging Face model id: write it as owner/name, e.g. microsoft/codebert-base.`);
  }
  return text;
}

export function trimEndpoint(endpoint: string): string {
  return endpoint.replace(/\/+$/, '');
}

/** `{endpoint}/{id}/resolve/{revision}/{file}`; the revision is URL-encoded (refs/pr/3 → refs%2Fpr%2F3). */
export function fileUrl(endpoint: string, modelId: string, revision: string, file: string): string {
  const path = file.split('/').map(encodeURIComponent).join('/');
  return `${trimEndpoint(endpoint)}/${modelId}/resolve/${encodeURIComponent(revision)}/${path}`;
}

export function authHeaders(accessToken: string | undefined): Record<string, string> {
  return accessToken ? { authorization: `Bearer ${accessToken}` } : {};
}

/**
 * fetch, with a failure to connect (a TypeError in every implementation) reported as `offline` and an abort as
 * `aborted`. Statuses are left to the caller: a download accepts 206 and handles 416 itself.
 */
export async function request(url: string, init: RequestInit, options: HubRequestOptions, what: string): Promise<Response> {
  const fetchImpl = options.fetchImpl ?? globalThis.fetch.bind(globalThis);
  if (options.signal?.aborted) throw abortedError(what, url);
  try {
    return await fetchImpl(url, { ...init, signal: options.signal });
  } catch (error) {
    if (isAbortError(error) || options.signal?.aborted) throw abortedError(what, url);
    throw offlineError(options.endpoint ?? DEFAULT_ENDPOINT, url);
  }
}

/** GET an API route and parse its JSON; any non-OK status becomes the matching HubError. */
export async function getJson(url: string, options: HubRequestOptions, modelId: string, what: string): Promise<unknown> {
  const response = await request(url, { headers: { accept: 'application/json', ...authHeaders(options.accessToken) } }, options, what);
  if (!response.ok) {
    await response.body?.cancel();
    throw statusError(response, modelId, what);
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    if (isAbortError(error) || options.signal?.aborted) throw abortedError(what, url);
    throw offlineError(options.endpoint ?? DEFAULT_ENDPOINT, url);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HubError('bad-response', `The Hub's answer about ${what} is not JSON (${url}). Try again later, or download the files yourself and drop the folder.`, { url });
  }
}
