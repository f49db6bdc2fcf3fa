/**
 * Share links: `#cfg=v1.<base64url of the RunConfig's JSON>`. The hash never reaches a server, carries the
 * whole configuration (model id, methods, settings, recipe, dataset name) and never the data. Decoding only
 * turns the text back into plain JSON; the caller validates it with parseRunConfig before using any of it.
 */
import type { RunConfig } from '../../engine/train/run_config';

export const SHARE_PREFIX = 'cfg=';
export const SHARE_VERSION = 'v1';
/** Far above any real configuration (~1 KB), low enough that a pasted megabyte cannot stall the page. */
export const MAX_SHARE_CHARS = 16_384;

export type ShareDecode = { readonly ok: true; readonly json: unknown } | { readonly ok: false; readonly message: string };

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  const binary = atob(padded);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

export function encodeShareHash(config: RunConfig): string {
  // Code search leaves the task out: links stay as short as before, and read as code search everywhere.
  const task = config.task.kind === 'code-search' ? {} : { task: config.task };
  const pruning = config.pruning ? { pruning: config.pruning } : {};
  const json = JSON.stringify({ model: config.model, dataset: config.dataset, ...task, peft: config.peft, recipe: config.recipe, ...pruning });
  return `#${SHARE_PREFIX}${SHARE_VERSION}.${toBase64Url(new TextEncoder().encode(json))}`;
}

export function shareUrl(location: { readonly origin: string; readonly pathname: string }, config: RunConfig): string {
  return `${location.origin}${location.pathname}${encodeShareHash(config)}`;
}

const broken = (why: string): ShareDecode => ({
  ok: false,
  message: `This share link is broken (${why}), so no configuration was restored. Ask for the link again, or set up the run by hand.`,
});

/** Reads `#cfg=...` from a location hash; null when the hash holds no configuration. */
export function decodeShareHash(hash: string): ShareDecode | null {
  const body = hash.startsWith('#') ? hash.slice(1) : hash;
  if (!body.startsWith(SHARE_PREFIX)) return null;
  const value = body.slice(SHARE_PREFIX.length);
  if (value.length > MAX_SHARE_CHARS) return broken(`it is ${value.length.toLocaleString('en-US')} characters long, more than a configuration can be`);
  const dot = value.indexOf('.');
  const version = dot < 0 ? '' : value.slice(0, dot);
  if (version !== SHARE_VERSION) {
    return broken(version === '' ? 'it has no version' : `it is version "${version.slice(0, 16)}", and this lab reads ${SHARE_VERSION}`);
  }
  const bytes = fromBase64Url(value.slice(dot + 1));
  if (!bytes) return broken('it was cut or altered: the data is not valid base64url');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return broken('the data is not UTF-8 text');
  }
  try {
    return { ok: true, json: JSON.parse(text) as unknown };
  } catch {
    return broken('the data is not valid JSON');
  }
}

/**
 * LoRA targets may be a regular expression in the engine's config. A link from someone else must not make
 * this page compile an arbitrary pattern (a catastrophic one would freeze the tab), so links carry module
 * names only. Returns the problem, or null.
 */
export function unsafePatternIn(json: unknown): string | null {
  const peft = (json as { peft?: { methods?: unknown } } | null)?.peft;
  const methods = Array.isArray(peft?.methods) ? (peft.methods as unknown[]) : [];
  for (const m of methods) {
    const targets = (m as { targets?: unknown } | null)?.targets;
    const list = typeof targets === 'string' ? [targets] : Array.isArray(targets) ? targets : [];
    const bad = list.find((t) => typeof t === 'string' && /[\\^$*+?()[\]{}|]/.test(t));
    if (typeof bad === 'string') return `LoRA target "${bad.slice(0, 60)}" is a pattern; share links carry plain module names (query, value, ...)`;
  }
  return null;
}
