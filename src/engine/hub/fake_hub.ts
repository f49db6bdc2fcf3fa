/**
 * A local imitation of the Hugging Face Hub's public endpoints, for tests (unit tests, and end-to-end tests
 * that point the page's Hub endpoint at it). Node only (node:http), so index.ts does not export it.
 *
 *   GET  /api/models/{id}[/revision/{rev}]       { id, sha, siblings: [{ rfilename, size }] }
 *   GET  /api/models/{id}/refs?include_prs=1      { branches, converts, tags, pullRequests: [{ name, ref, targetCommit }] }
 *   GET  /api/models/{id}/tree/{rev}              [{ type, path, size, oid }]
 *   GET|HEAD /{id}/resolve/{rev}/{file}           the file; weights redirect (302) to /cdn/..., as LFS files do
 *
 * File responses honour `Range: bytes=N-` (206 + content-range, 416 past the end), and `faults` make the next
 * response for a file fail on purpose: cut the connection, end early and cleanly, or ignore the range. Every
 * response allows any origin (CORS), and a preflight (OPTIONS) gets 204.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeBranch {
  readonly commit: string;
  readonly files: Readonly<Record<string, Uint8Array>>;
}

export interface FakeRepo {
  readonly id: string;
  /** When set, every route of the repository answers this status (401 gated, 403, 404, 500 ...). */
  readonly status?: number;
  /** The `x-error-code` sent with `status` (GatedRepo, RepoNotFound, ...). */
  readonly errorCode?: string;
  /** By ref name: `main`, `refs/pr/3`, ... */
  readonly branches: Readonly<Record<string, FakeBranch>>;
}

export type FakeFault =
  | { readonly kind: 'cut'; readonly file: string; readonly after: number } // send `after` body bytes, then drop the connection
  | { readonly kind: 'short'; readonly file: string; readonly after: number } // send `after` body bytes without a length, end cleanly
  | { readonly kind: 'ignore-range'; readonly file: string }; // answer a range request with 200 and the whole file

export interface RecordedRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly path: string;
  readonly range: string | undefined;
}

export interface FakeHub {
  readonly endpoint: string;
  readonly requests: RecordedRequest[];
  /** Consumed in order: each applies to the next response for its file. */
  readonly faults: FakeFault[];
  close(): Promise<void>;
}

const LARGE = /\.(bin|safetensors)$/;

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

function notFound(res: ServerResponse, code: string): void {
  send(res, 404, { error: code }, { 'x-error-code': code });
}

function branchOf(repo: FakeRepo, rev: string): FakeBranch | undefined {
  return repo.branches[rev] ?? Object.values(repo.branches).find((b) => b.commit === rev);
}

const entries = (branch: FakeBranch): [string, Uint8Array][] => Object.entries(branch.files);

function api(res: ServerResponse, repo: FakeRepo, rest: string[], query: URLSearchParams): void {
  const main = repo.branches.main;
  if (rest.length === 0 || rest[0] === 'revision') {
    const branch = rest.length === 0 ? main : branchOf(repo, rest[1] ?? '');
    if (!branch) return notFound(res, 'RevisionNotFound');
    const siblings = entries(branch).map(([rfilename, bytes]) => ({ rfilename, size: bytes.byteLength }));
    return send(res, 200, { id: repo.id, sha: branch.commit, siblings });
  }
  if (rest[0] === 'refs') {
    const ref = (name: string, b: FakeBranch) => ({ name, ref: name.startsWith('refs/') ? name : `refs/heads/${name}`, targetCommit: b.commit });
    const all = Object.entries(repo.branches);
    const pullRequests = query.get('include_prs') === '1' ? all.filter(([n]) => n.startsWith('refs/pr/')).map(([n, b]) => ref(n, b)) : undefined;
    const branches = all.filter(([n]) => !n.startsWith('refs/')).map(([n, b]) => ref(n, b));
    return send(res, 200, { branches, converts: [], tags: [], ...(pullRequests ? { pullRequests } : {}) });
  }
  if (rest[0] === 'tree' && rest.length === 2) {
    const branch = branchOf(repo, rest[1]!);
    if (!branch) return notFound(res, 'RevisionNotFound');
    return send(res, 200, entries(branch).map(([path, bytes]) => ({ type: 'file', path, size: bytes.byteLength, oid: `${branch.commit}:${path}` })));
  }
  notFound(res, 'NotFound');
}

function takeFault(faults: FakeFault[], file: string): FakeFault | undefined {
  const index = faults.findIndex((f) => f.file === file);
  return index < 0 ? undefined : faults.splice(index, 1)[0];
}

function serveBytes(req: IncomingMessage, res: ServerResponse, bytes: Uint8Array, etag: string, fault: FakeFault | undefined): void {
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  const headers: Record<string, string> = { 'accept-ranges': 'bytes', etag: `"${etag}"`, 'content-type': 'application/octet-stream' };
  let start = 0;
  if (range && fault?.kind !== 'ignore-range') {
    start = Number(range[1]);
    if (start >= bytes.byteLength) {
      res.writeHead(416, { 'content-range': `bytes */${bytes.byteLength}` });
      return void res.end();
    }
    headers['content-range'] = `bytes ${start}-${bytes.byteLength - 1}/${bytes.byteLength}`;
  }
  const status = headers['content-range'] ? 206 : 200;
  const body = bytes.subarray(start);
  if (fault?.kind === 'short') {
    res.writeHead(status, headers); // no content-length: chunked, so ending early is a clean end
    return void res.end(body.subarray(0, fault.after));
  }
  res.writeHead(status, { ...headers, 'content-length': String(body.byteLength) });
  if (req.method === 'HEAD') return void res.end();
  if (fault?.kind === 'cut') {
    // Give the client time to read what was sent before the connection goes.
    return void res.write(body.subarray(0, fault.after), () => setTimeout(() => res.socket?.destroy(), 30));
  }
  res.end(body);
}

function serve(hub: { repos: ReadonlyMap<string, FakeRepo>; faults: FakeFault[] }, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://fake');
  const parts = url.pathname.split('/').slice(1).map(decodeURIComponent);
  const isApi = parts[0] === 'api' && parts[1] === 'models';
  const isCdn = parts[0] === 'cdn';
  const [owner, name, ...rest] = isApi ? parts.slice(2) : isCdn ? parts.slice(1) : parts;
  const repo = hub.repos.get(`${owner}/${name}`);
  if (!repo) return notFound(res, 'RepoNotFound');
  if (repo.status !== undefined) return send(res, repo.status, { error: 'refused' }, repo.errorCode ? { 'x-error-code': repo.errorCode } : {});
  if (isApi) return api(res, repo, rest, url.searchParams);
  const [kind, rev, ...file] = isCdn ? ['resolve', ...rest] : rest;
  const branch = kind === 'resolve' ? branchOf(repo, rev ?? '') : undefined;
  if (!branch) return notFound(res, kind === 'resolve' ? 'RevisionNotFound' : 'NotFound');
  const path = file.join('/');
  const bytes = branch.files[path];
  if (!bytes) return notFound(res, 'EntryNotFound');
  if (!isCdn && LARGE.test(path)) {
    res.writeHead(302, { location: `/cdn/${repo.id}/${branch.commit}/${path}`, 'x-linked-size': String(bytes.byteLength) });
    return void res.end();
  }
  serveBytes(req, res, bytes, `${branch.commit}-${path}`, takeFault(hub.faults, path));
}

/**
 * The Hub answers CORS for any origin, so a page served elsewhere (an end-to-end test's) can use this server as
 * its endpoint. Headers set here merge into every writeHead; the exposed ones are those the downloader reads.
 */
function allowCors(res: ServerResponse): void {
  res.setHeader('access-control-allow-origin', '*');
  res.setHeader('access-control-expose-headers', 'content-range, etag, accept-ranges, x-error-code, x-linked-size, content-encoding');
  res.setHeader('access-control-allow-methods', 'GET, HEAD');
  res.setHeader('access-control-allow-headers', 'authorization, range, accept');
}

export async function startFakeHub(repos: readonly FakeRepo[]): Promise<FakeHub> {
  const requests: RecordedRequest[] = [];
  const faults: FakeFault[] = [];
  const state = { repos: new Map(repos.map((r) => [r.id, r])), faults };
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', range: req.headers.range });
    allowCors(res);
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    serve(state, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    faults,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
