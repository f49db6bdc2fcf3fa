/**
 * Which files of a Hub repository make a model for the lab: config.json, the tokenizer (vocab.json +
 * merges.txt, else tokenizer.json) and the weights — model.safetensors from the revision, else from one of
 * its pull-request branches (the Hub's safetensors conversions live there: microsoft/codebert-base has
 * model.safetensors only on refs/pr/3), else pytorch_model.bin. URLs are pinned to commits where the Hub
 * gives them, so every file (and every resumed byte range) comes from one version of the repository.
 */
import { HubError, LOCAL_ROUTE } from './errors';
import { DEFAULT_ENDPOINT, DEFAULT_REVISION, fileUrl, getJson, parseModelId, trimEndpoint, type FetchLike, type HubRequestOptions } from './http';

export interface HubFile {
  /** Name in the repository, and the key in the loaded file map. */
  readonly name: string;
  readonly url: string;
  /** From the Hub's listing; undefined when it gave none (the download then trusts the response headers). */
  readonly size: number | undefined;
  /** The ref the file comes from: the asked revision, or a pull request such as refs/pr/3. */
  readonly revision: string;
}

export interface HubModelPlan {
  readonly endpoint: string;
  readonly modelId: string;
  /** The revision asked for (branch, tag or commit). */
  readonly revision: string;
  /** The commit that revision pointed at, when the Hub said. */
  readonly commit: string | undefined;
  /** Small files first, the weights last. */
  readonly files: readonly HubFile[];
  readonly weights: { readonly name: string; readonly revision: string; readonly pullRequest: number | undefined };
  /** Things a user should know, e.g. that the weights come from a pull request. */
  readonly notes: readonly string[];
}

export interface ResolveOptions extends Omit<HubRequestOptions, 'fetchImpl'> {
  readonly revision?: string;
  /** Look for model.safetensors on pull-request branches when the revision lacks it (default true). */
  readonly pullRequestWeights?: boolean;
  /** At most this many pull requests are listed (one request each; default 10). */
  readonly maxPullRequests?: number;
}

interface Listing {
  readonly commit: string | undefined;
  readonly sizes: ReadonlyMap<string, number | undefined>;
}

type JsonObject = Record<string, unknown>;
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const numberOrUndefined = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);

function badResponse(what: string, url: string): HubError {
  return new HubError('bad-response', `The Hub's answer about ${what} is not in the documented form (${url}). Try again later, or: ${LOCAL_ROUTE}`, { url });
}

/** A file entry's size: `size`, or for LFS files `lfs.size` (the same number on today's Hub). */
function entrySize(entry: JsonObject): number | undefined {
  return numberOrUndefined(entry.size) ?? (isObject(entry.lfs) ? numberOrUndefined(entry.lfs.size) : undefined);
}

function listing(entries: unknown, key: 'rfilename' | 'path', commit: unknown, what: string, url: string): Listing {
  if (!Array.isArray(entries)) throw badResponse(what, url);
  const sizes = new Map<string, number | undefined>();
  for (const entry of entries) {
    if (isObject(entry) && typeof entry[key] === 'string' && entry.type !== 'directory') sizes.set(entry[key], entrySize(entry));
  }
  return { commit: typeof commit === 'string' && commit.length > 0 ? commit : undefined, sizes };
}

async function revisionListing(base: string, modelId: string, revision: string, options: HubRequestOptions): Promise<Listing> {
  const route = revision === DEFAULT_REVISION ? '' : `/revision/${encodeURIComponent(revision)}`;
  const url = `${base}/api/models/${modelId}${route}?blobs=true`;
  const info = await getJson(url, options, modelId, modelId);
  if (!isObject(info)) throw badResponse(modelId, url);
  return listing(info.siblings, 'rfilename', info.sha, modelId, url);
}

interface PullRequestRef {
  readonly ref: string;
  readonly number: number;
  readonly commit: string | undefined;
}

async function pullRequests(base: string, modelId: string, options: HubRequestOptions): Promise<PullRequestRef[]> {
  const url = `${base}/api/models/${modelId}/refs?include_prs=1`;
  const refs = await getJson(url, options, modelId, `the branches of ${modelId}`);
  if (!isObject(refs)) throw badResponse(`the branches of ${modelId}`, url);
  const list = Array.isArray(refs.pullRequests) ? refs.pullRequests : [];
  const found: PullRequestRef[] = [];
  for (const pr of list) {
    if (!isObject(pr)) continue;
    const ref = typeof pr.ref === 'string' ? pr.ref : typeof pr.name === 'string' ? pr.name : '';
    const match = /^refs\/pr\/(\d+)$/.exec(ref);
    if (match) found.push({ ref, number: Number(match[1]), commit: typeof pr.targetCommit === 'string' ? pr.targetCommit : undefined });
  }
  return found.sort((a, b) => a.number - b.number);
}

async function treeListing(base: string, modelId: string, pr: PullRequestRef, options: HubRequestOptions): Promise<Listing> {
  const url = `${base}/api/models/${modelId}/tree/${encodeURIComponent(pr.ref)}`;
  const what = `the files of ${modelId} on ${pr.ref}`;
  return listing(await getJson(url, options, modelId, what), 'path', pr.commit, what, url);
}

interface WeightsChoice {
  readonly name: string;
  readonly size: number | undefined;
  readonly revision: string;
  readonly commit: string | undefined;
  readonly pullRequest: number | undefined;
}

/** The first pull request whose tree has model.safetensors; a failing listing is skipped, not fatal. */
async function safetensorsFromPullRequests(base: string, modelId: string, options: ResolveOptions): Promise<WeightsChoice | undefined> {
  let prs: PullRequestRef[];
  try {
    prs = await pullRequests(base, modelId, options);
  } catch (error) {
    if (error instanceof HubError && (error.kind === 'offline' || error.kind === 'aborted')) throw error;
    return undefined;
  }
  for (const pr of prs.slice(0, options.maxPullRequests ?? 10)) {
    let tree: Listing;
    try {
      tree = await treeListing(base, modelId, pr, options);
    } catch (error) {
      if (error instanceof HubError && (error.kind === 'offline' || error.kind === 'aborted')) throw error;
      continue;
    }
    if (tree.sizes.has('model.safetensors')) {
      return { name: 'model.safetensors', size: tree.sizes.get('model.safetensors'), revision: pr.ref, commit: pr.commit, pullRequest: pr.number };
    }
  }
  return undefined;
}

function noWeightsError(modelId: string, revision: string, names: readonly string[], searchedPrs: boolean): HubError {
  const sharded = names.some((n) => /^(model|pytorch_model)-\d+-of-\d+\./.test(n) || n.endsWith('.index.json'));
  const other = names.filter((n) => /\.(h5|msgpack|onnx|ckpt|pt|gguf)$/.test(n));
  const why = sharded
    ? ' Its weights are split into shards, which the lab does not read (the encoders it trains fit in one file).'
    : other.length > 0
      ? ` It only has ${other.join(', ')}, which the lab does not read.`
      : '';
  const where = searchedPrs ? `on ${revision} or its pull requests` : `on ${revision}`;
  return new HubError(
    'no-weights',
    `${modelId} has no weights the lab can read: no model.safetensors ${where} and no pytorch_model.bin.${why} ${LOCAL_ROUTE}`,
  );
}

function tokenizerFiles(modelId: string, names: ReadonlySet<string>): string[] {
  if (names.has('vocab.json') && names.has('merges.txt')) return ['vocab.json', 'merges.txt'];
  if (names.has('tokenizer.json')) return ['tokenizer.json'];
  throw new HubError('incomplete', `${modelId} has no tokenizer the lab can read (vocab.json + merges.txt, or tokenizer.json). ${LOCAL_ROUTE}`);
}

async function chooseWeights(base: string, modelId: string, revision: string, main: Listing, options: ResolveOptions): Promise<WeightsChoice> {
  const here = (name: string): WeightsChoice => ({ name, size: main.sizes.get(name), revision, commit: main.commit, pullRequest: undefined });
  if (main.sizes.has('model.safetensors')) return here('model.safetensors');
  // Only the default branch: a pinned revision means exactly that revision's files.
  const searchPrs = revision === DEFAULT_REVISION && options.pullRequestWeights !== false;
  const fromPr = searchPrs ? await safetensorsFromPullRequests(base, modelId, options) : undefined;
  if (fromPr) return fromPr;
  if (main.sizes.has('pytorch_model.bin')) return here('pytorch_model.bin');
  throw noWeightsError(modelId, revision, [...main.sizes.keys()], searchPrs);
}

/** Decides what to download for `modelId`: one request for the listing, more only when safetensors are missing. */
export async function resolveModelFiles(modelId: string, fetchImpl?: FetchLike, options: ResolveOptions = {}): Promise<HubModelPlan> {
  const id = parseModelId(modelId);
  const endpoint = trimEndpoint(options.endpoint ?? DEFAULT_ENDPOINT);
  const revision = options.revision ?? DEFAULT_REVISION;
  const request: ResolveOptions & HubRequestOptions = { ...options, endpoint, ...(fetchImpl ? { fetchImpl } : {}) };
  const main = await revisionListing(endpoint, id, revision, request);
  const names = new Set(main.sizes.keys());
  if (!names.has('config.json')) throw new HubError('incomplete', `${id} has no config.json on ${revision}, so it is not a model the lab can load. ${LOCAL_ROUTE}`);
  const small = ['config.json', ...tokenizerFiles(id, names)];
  const weights = await chooseWeights(endpoint, id, revision, main, request);
  const pinned = (commit: string | undefined, ref: string): string => commit ?? ref;
  const files: HubFile[] = [
    ...small.map((name) => ({ name, url: fileUrl(endpoint, id, pinned(main.commit, revision), name), size: main.sizes.get(name), revision })),
    { name: weights.name, url: fileUrl(endpoint, id, pinned(weights.commit, weights.revision), weights.name), size: weights.size, revision: weights.revision },
  ];
  const notes =
    weights.pullRequest === undefined
      ? []
      : [`${id} has no model.safetensors on ${revision}; the weights come from pull request #${weights.pullRequest} (${weights.revision}; usually the Hub's automatic safetensors conversion, but not reviewed like the main branch).`];
  return { endpoint, modelId: id, revision, commit: main.commit, files, weights: { name: weights.name, revision: weights.revision, pullRequest: weights.pullRequest }, notes };
}
