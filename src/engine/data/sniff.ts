/**
 * Format detection from the first bytes, never from the file name alone: gzip and Parquet by their magic
 * bytes, JSON Lines and JSON arrays by the first character that is not white space. Files that are none of
 * these get a message naming what they look like, so a user who picked a .zip or an HTML error page knows.
 */

import { hexBytes, isJsonSpace } from './bytes';

export type Sniffed =
  | { readonly kind: 'gzip' | 'parquet' | 'jsonl' | 'json' | 'empty' }
  | { readonly kind: 'unknown'; readonly looksLike: string | null };

const PREFIXES: readonly { readonly prefix: readonly number[] | string; readonly what: string }[] = [
  { prefix: [0x50, 0x4b, 0x03, 0x04], what: 'a ZIP archive: unzip it and pick the .jsonl or .jsonl.gz files inside' },
  { prefix: 'BZh', what: 'bzip2-compressed data: decompress it first' },
  { prefix: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], what: 'xz-compressed data: decompress it first' },
  { prefix: [0x28, 0xb5, 0x2f, 0xfd], what: 'zstd-compressed data: decompress it first' },
  { prefix: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], what: 'a 7-Zip archive: extract it first' },
  { prefix: [0xff, 0xfe], what: 'UTF-16 text: save it as UTF-8' },
  { prefix: [0xfe, 0xff], what: 'UTF-16 text: save it as UTF-8' },
  { prefix: 'ARROW1', what: 'an Arrow IPC file: export it with datasets\' to_json() or to_parquet()' },
  {
    prefix: 'version https://git-lfs',
    what: 'a Git LFS pointer, not the data: run `git lfs pull` in the clone or download the file itself',
  },
  { prefix: '<', what: 'an HTML or XML page: the download link probably returned a web page, use the raw file link' },
];

const GZIP_MAGIC = [0x1f, 0x8b];
const PARQUET_MAGIC = [0x50, 0x41, 0x52, 0x31]; // "PAR1"
const UTF8_BOM = [0xef, 0xbb, 0xbf];

function startsWith(bytes: Uint8Array, prefix: readonly number[] | string, at = 0): boolean {
  const codes = typeof prefix === 'string' ? [...prefix].map((c) => c.charCodeAt(0)) : prefix;
  if (bytes.byteLength < at + codes.length) return false;
  return codes.every((c, i) => bytes[at + i] === c);
}

/** Index of the first byte that is neither JSON white space nor a leading UTF-8 byte-order mark; -1 if none. */
export function firstContentByte(head: Uint8Array): number {
  let i = startsWith(head, UTF8_BOM) ? UTF8_BOM.length : 0;
  while (i < head.byteLength && isJsonSpace(head[i] ?? 0)) i++;
  return i < head.byteLength ? i : -1;
}

/** Enough bytes are in to decide: the magic numbers fit and a content byte has been seen (or 64 KiB of space). */
export function sniffable(head: Uint8Array): boolean {
  return head.byteLength >= 64 * 1024 || (head.byteLength >= 32 && firstContentByte(head) >= 0);
}

export function sniff(head: Uint8Array): Sniffed {
  if (startsWith(head, GZIP_MAGIC)) return { kind: 'gzip' };
  if (startsWith(head, PARQUET_MAGIC)) return { kind: 'parquet' };
  const first = firstContentByte(head);
  if (first < 0) return head.byteLength < 64 * 1024 ? { kind: 'empty' } : { kind: 'unknown', looksLike: 'white space only' };
  if (head[first] === 0x7b) return { kind: 'jsonl' }; // '{'
  if (head[first] === 0x5b) return { kind: 'json' }; // '['
  const known = PREFIXES.find((p) => startsWith(head, p.prefix) || startsWith(head, p.prefix, first));
  return { kind: 'unknown', looksLike: known?.what ?? null };
}

/** What the first bytes look like when they are text, for the ".gz that is not gzip" message. */
export function describeHead(head: Uint8Array): string {
  const sniffed = sniff(head);
  if (sniffed.kind === 'jsonl' || sniffed.kind === 'json') return `${hexBytes(head)}, which look like JSON text`;
  if (sniffed.kind === 'parquet') return `${hexBytes(head)}, which look like Parquet`;
  if (sniffed.kind === 'unknown' && sniffed.looksLike !== null) return `${hexBytes(head)}: ${sniffed.looksLike}`;
  return hexBytes(head);
}
