/**
 * Hub model resolution and loading against a local imitation of the Hub (src/engine/hub/fake_hub.ts):
 * which files are chosen (safetensors from a pull request, else pytorch_model.bin), the errors a user sees,
 * combined progress, and a second load served by the cache with no request at all.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeHub, type FakeHub, type FakeRepo } from '../../src/engine/hub/fake_hub';
import { HubError, hubModelFiles, loadModelFromHub, MemoryModelCache, parseModelId, resolveModelFiles, type FetchLike, type HubLoadProgress } from '../../src/engine/hub';

function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** -1 when equal, else the first index that differs (the shorter length when one is a prefix): fast on big files. */
async function firstDifference(blob: Blob, want: Uint8Array | undefined): Promise<number> {
  const got = new Uint8Array(await blob.arrayBuffer());
  if (!want) return 0;
  const n = Math.min(got.byteLength, want.byteLength);
  for (let i = 0; i < n; i++) if (got[i] !== want[i]) return i;
  return got.byteLength === want.byteLength ? -1 : n;
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const config = text('{"model_type": "roberta", "hidden_size": 768}');
const vocab = text('{"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}');
const merges = text('#version: 0.2\nĠ t\n');
const bin = bytes(200_000, 1);
const safetensors = bytes(150_000, 2);
const base = { 'config.json': config, 'vocab.json': vocab, 'merges.txt': merges };

const repos: FakeRepo[] = [
  {
    id: 'lab/codebert-like',
    branches: {
      main: { commit: 'aaaa0001', files: { ...base, 'pytorch_model.bin': bin } },
      'refs/pr/1': { commit: 'bbbb0001', files: { ...base, 'README.md': text('typo fix'), 'pytorch_model.bin': bin } },
      'refs/pr/3': { commit: 'cccc0003', files: { ...base, 'pytorch_model.bin': bin, 'model.safetensors': safetensors } },
    },
  },
  { id: 'lab/bin-only', branches: { main: { commit: 'dddd0001', files: { 'config.json': config, 'tokenizer.json': vocab, 'pytorch_model.bin': bin } } } },
  { id: 'lab/tf-only', branches: { main: { commit: 'eeee0001', files: { ...base, 'tf_model.h5': bin } } } },
  { id: 'lab/gated', status: 401, errorCode: 'GatedRepo', branches: {} },
  { id: 'lab/private', status: 401, errorCode: 'RepoNotFound', branches: {} },
  { id: 'lab/forbidden', status: 403, branches: {} },
];

let hub: FakeHub;
beforeAll(async () => {
  hub = await startFakeHub(repos);
});
afterAll(async () => hub.close());

const paths = (): string[] => hub.requests.map((r) => r.path);

async function failure(promise: Promise<unknown>): Promise<HubError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HubError);
  return error as HubError;
}

describe('resolveModelFiles', () => {
  it('takes model.safetensors from the first pull request that has it, pinned to its commit', async () => {
    hub.requests.length = 0;
    const plan = await resolveModelFiles('lab/codebert-like', undefined, { endpoint: hub.endpoint });
    expect(plan.files.map((f) => f.name)).toEqual(['config.json', 'vocab.json', 'merges.txt', 'model.safetensors']);
    expect(plan.weights).toEqual({ name: 'model.safetensors', revision: 'refs/pr/3', pullRequest: 3 });
    expect(plan.files[3]!.url).toBe(`${hub.endpoint}/lab/codebert-like/resolve/cccc0003/model.safetensors`);
    expect(plan.files[0]!.url).toBe(`${hub.endpoint}/lab/codebert-like/resolve/aaaa0001/config.json`);
    expect(plan.files.map((f) => f.size)).toEqual([config.byteLength, vocab.byteLength, merges.byteLength, safetensors.byteLength]);
    expect(plan.commit).toBe('aaaa0001');
    expect(plan.notes.join(' ')).toContain('pull request #3');
    expect(paths()).toEqual([
      '/api/models/lab/codebert-like?blobs=true',
      '/api/models/lab/codebert-like/refs?include_prs=1',
      '/api/models/lab/codebert-like/tree/refs%2Fpr%2F1',
      '/api/models/lab/codebert-like/tree/refs%2Fpr%2F3',
    ]);
  });

  it('takes pytorch_model.bin when pull requests are not to be searched, and for a repository without safetensors', async () => {
    const noPr = await resolveModelFiles('lab/codebert-like', undefined, { endpoint: hub.endpoint, pullRequestWeights: false });
    expect(noPr.weights).toEqual({ name: 'pytorch_model.bin', revision: 'main', pullRequest: undefined });
    expect(noPr.notes).toEqual([]);
    const binOnly = await resolveModelFiles('lab/bin-only', undefined, { endpoint: hub.endpoint });
    expect(binOnly.files.map((f) => f.name)).toEqual(['config.json', 'tokenizer.json', 'pytorch_model.bin']);
    expect(binOnly.files[2]!.url).toBe(`${hub.endpoint}/lab/bin-only/resolve/dddd0001/pytorch_model.bin`);
  });

  it('uses the given fetch and revision', async () => {
    const seen: string[] = [];
    const fetchImpl: FetchLike = (input, init) => (seen.push(input), fetch(input, init));
    const plan = await resolveModelFiles('lab/codebert-like', fetchImpl, { endpoint: `${hub.endpoint}/`, revision: 'refs/pr/3' });
    expect(seen).toEqual([`${hub.endpoint}/api/models/lab/codebert-like/revision/refs%2Fpr%2F3?blobs=true`]);
    expect(plan.weights.revision).toBe('refs/pr/3');
  });

  it('reports a missing model, a gated, a private and a forbidden one, and one without usable weights, in words', async () => {
    const missing = await failure(resolveModelFiles('lab/missing', undefined, { endpoint: hub.endpoint }));
    expect(missing.kind).toBe('not-found');
    expect(missing.message).toContain('there is no model lab/missing on the Hub');
    expect(missing.message).toContain('drop the folder');
    const gated = await failure(resolveModelFiles('lab/gated', undefined, { endpoint: hub.endpoint }));
    expect(gated.kind).toBe('unauthorized');
    expect(gated.message).toContain('lab/gated is gated');
    const hidden = await failure(resolveModelFiles('lab/private', undefined, { endpoint: hub.endpoint }));
    expect([hidden.kind, hidden.status]).toEqual(['not-found', 401]);
    expect(hidden.message).toContain('there is no model lab/private on the Hub (or it is private and needs an access token)');
    const locked = await failure(resolveModelFiles('lab/forbidden', undefined, { endpoint: hub.endpoint }));
    expect([locked.kind, locked.status]).toEqual(['unauthorized', 403]);
    expect(locked.message).toContain('the repository is gated or private');
    const tf = await failure(resolveModelFiles('lab/tf-only', undefined, { endpoint: hub.endpoint }));
    expect(tf.kind).toBe('no-weights');
    expect(tf.message).toContain('lab/tf-only has no weights the lab can read');
    expect(tf.message).toContain('tf_model.h5');
  });

  it('says the Hub cannot be reached when nothing listens, with the local route', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const error = await failure(loadModelFromHub('lab/codebert-like', { endpoint: `http://127.0.0.1:${port}`, cache: new MemoryModelCache() }));
    expect(error.kind).toBe('offline');
    expect(error.message).toBe(`could not reach 127.0.0.1:${port} (network error). Download the files yourself and drop the folder, or use the bundled demo model.`);
  });
});

describe('parseModelId', () => {
  it('accepts owner/name and model page URLs, and refuses anything else', () => {
    expect(parseModelId(' microsoft/codebert-base ')).toBe('microsoft/codebert-base');
    expect(parseModelId('https://huggingface.co/microsoft/codebert-base/tree/main')).toBe('microsoft/codebert-base');
    expect(parseModelId('roberta-base')).toBe('roberta-base');
    for (const bad of ['', 'a/b/c', '../etc', 'owner/..', 'owner/na me', 'owner/name?x=1']) {
      expect(() => parseModelId(bad)).toThrow(/is not a Hugging Face model id: write it as owner\/name/);
    }
  });
});

describe('loadModelFromHub', () => {
  it('downloads every file with monotonic combined progress, then loads again from the cache with no request', async () => {
    const cache = new MemoryModelCache();
    const events: HubLoadProgress[] = [];
    const first = await loadModelFromHub('lab/codebert-like', { endpoint: hub.endpoint, cache, onProgress: (p) => events.push(p), progressIntervalMs: 0 });
    const want = new Map([...Object.entries(base), ['model.safetensors', safetensors]]);
    expect([...first.files.keys()]).toEqual([...want.keys()]);
    for (const [name, blob] of first.files) expect(await firstDifference(blob, want.get(name))).toBe(-1);
    expect(first.fromCache).toBe(false);
    expect(first.warnings.join(' ')).toContain('pull request #3');
    const total = [...want.values()].reduce((a, b) => a + b.byteLength, 0);
    const downloading = events.filter((e) => e.phase === 'downloading');
    expect(events[0]!.phase).toBe('resolving');
    expect(downloading.every((e) => e.total === total)).toBe(true);
    for (let i = 1; i < downloading.length; i++) expect(downloading[i]!.received).toBeGreaterThanOrEqual(downloading[i - 1]!.received);
    expect(events.at(-1)).toMatchObject({ phase: 'done', received: total, total, fileCount: 4 });

    let requests = 0;
    const counting: FetchLike = (input, init) => (requests++, fetch(input, init));
    const second = await loadModelFromHub('lab/codebert-like', { endpoint: hub.endpoint, cache, fetchImpl: counting });
    expect(requests).toBe(0);
    expect(second.fromCache).toBe(true);
    for (const [name, blob] of second.files) expect(await firstDifference(blob, want.get(name))).toBe(-1);
    expect(hubModelFiles(second).map((f) => [f.name, f.size])).toEqual([...want].map(([n, b]) => [n, b.byteLength]));

    const listed = await cache.list();
    expect(listed.map((m) => [m.modelId, m.revision, m.complete, m.bytes])).toEqual([['lab/codebert-like', 'main', true, total]]);
    expect((await cache.usage()).bytes).toBeGreaterThan(total);
    expect(await cache.delete('lab/codebert-like')).toBeGreaterThan(total);
    expect(await cache.list()).toEqual([]);
    expect((await cache.usage()).bytes).toBe(0);
  });

  it('still returns a file the cache has no room for, with a warning, and fetches only that file next time', async () => {
    const cache = new MemoryModelCache({ quotaBytes: 100_000 });
    const first = await loadModelFromHub('lab/bin-only', { endpoint: hub.endpoint, cache, pieceBytes: 32 * 1024 });
    expect(await firstDifference(first.files.get('pytorch_model.bin')!, bin)).toBe(-1);
    expect(first.warnings.join(' ')).toMatch(/pytorch_model\.bin is not cached: the browser's storage for this site is full \(quota exceeded\)/);
    hub.requests.length = 0;
    const second = await loadModelFromHub('lab/bin-only', { endpoint: hub.endpoint, cache, pieceBytes: 32 * 1024 });
    expect(await firstDifference(second.files.get('pytorch_model.bin')!, bin)).toBe(-1);
    // The cached pieces (a valid start of the file) are resumed; the small files and the plan come from the cache.
    expect(paths().every((p) => p.includes('pytorch_model.bin'))).toBe(true);
    expect(hub.requests.at(-1)!.range).toMatch(/^bytes=\d+-$/);
  });
});
