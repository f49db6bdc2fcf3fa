/**
 * The code-search playground in the Worker: the validation pool embedded once per model (a run of this session,
 * or the loaded model with its adapter) and kept on a GPU device of the playground's own (engine/eval/
 * search_index.ts); a typed query is one forward and one matmul. Two models answer side by side. The device is
 * given back when a run starts or another model loads.
 */
import type { Example } from '../../engine/data';
import { acquireDevice } from '../../engine/gpu/device';
import { Runtime } from '../../engine/gpu/runtime';
import { encodeExamples } from '../../engine/io/encode';
import { buildInput, tokenCount } from '../../engine/io/tokenizer';
import { evaluateRetrieval } from '../../engine/eval/retrieval';
import type { TrainableModel } from '../../engine/train/trainable_model';
import { rankOf, SearchIndex } from '../../engine/eval/search_index';
import { buildModel } from '../../engine/train/build_model';
import { trainerConfig, type RecipeSettings } from '../../engine/train/run_config';
import type { LoadedAdapter } from './adapter_import';
import type { LoadedModel } from './model_files';
import type { ExampleRanksAnswer, PlaygroundAnswer, PlaygroundHit, WorkerRequest } from './protocol';
import { RunDataError, validationExamples, type ShardEntry } from './shards';
import { sourceWeights, type SourceWeights } from './source_weights';

type SearchRequest = Extract<WorkerRequest, { type: 'search' }>;
type RanksRequest = Extract<WorkerRequest, { type: 'example-ranks' }>;
/** What both requests share: the models, the configuration, the data plan and the adapter. */
type PoolRequest = Pick<SearchRequest, 'config' | 'data' | 'fromAdapter'>;

export interface PlaygroundContext {
  readonly gpu: GPU | undefined;
  readonly model: LoadedModel | null;
  readonly shards: ReadonlyMap<string, ShardEntry>;
  readonly adapter: LoadedAdapter | null;
  readonly runWeights: (runId: string) => SourceWeights | null;
}

interface Side {
  readonly index: SearchIndex;
  readonly tm: TrainableModel;
  readonly recipe: RecipeSettings;
  readonly model: LoadedModel;
}

/** Code shown per hit: enough to recognize a function, bounded whatever the pool holds. */
const CODE_CHARS = 1200;
const MAX_POOL = 20_000;

export class Playground {
  private rt: Runtime | null = null;
  private poolKey = '';
  private pool: readonly Example[] = [];
  private readonly sides = new Map<string, Side>();

  private usePool(request: PoolRequest, ctx: PlaygroundContext): void {
    const poolKey = JSON.stringify(request.data);
    if (poolKey === this.poolKey) return;
    this.dispose();
    const pool = validationExamples(request.data, ctx.shards);
    if (pool.length === 0) throw new RunDataError('The playground searches the validation pairs: drop a validation shard or hold out a fraction of the training shard.');
    if (pool.length > MAX_POOL) throw new RunDataError(`The validation set has ${pool.length.toLocaleString('en-US')} pairs; the playground searches at most ${MAX_POOL.toLocaleString('en-US')}: limit the validation pairs in the Data panel.`);
    this.pool = pool;
    this.poolKey = poolKey;
  }

  /**
   * Per-example analysis: the gold rank of every validation query under each model (as the evaluation ranks:
   * ties against the query), with the pair's texts and sizes, for the thesis' §5.1 view of which queries a
   * method fixes or misses.
   */
  async exampleRanks(request: RanksRequest, ctx: PlaygroundContext): Promise<ExampleRanksAnswer> {
    this.usePool(request, ctx);
    const ranks: Uint32Array[] = [];
    for (const source of request.sources) {
      const side = await this.side(source, request, ctx);
      const set = encodeExamples(this.pool, side.model.tokenizer, side.recipe.codeLength, side.recipe.nlLength);
      ranks.push((await evaluateRetrieval(this.rt!, side.tm, set, side.recipe.evalBatchSize)).ranks);
    }
    const tok = ctx.model?.tokenizer;
    const examples = this.pool.map((e, i) => ({
      index: i,
      query: e.query.slice(0, 300),
      code: e.code.slice(0, 600),
      codeTokens: tok ? tokenCount(tok, e.code, 8192) : 0,
      queryTokens: tok ? tokenCount(tok, e.query, 8192) : 0,
      lines: e.code.split('\n').length,
      ranks: ranks.map((r) => r[i]!),
    }));
    return { pool: this.pool.length, sources: request.sources, examples };
  }

  async search(request: SearchRequest, ctx: PlaygroundContext): Promise<PlaygroundAnswer> {
    this.usePool(request, ctx);
    const query = request.query.trim();
    if (!query) throw new RunDataError('Type a query (or pick one of the validation queries).');
    const gold = this.pool.findIndex((e) => e.query.trim() === query);
    const answers = [];
    for (const source of request.sources) answers.push(await this.answer(source, request, ctx, query, gold));
    return { query, pool: this.pool.length, gold: gold >= 0 ? gold : null, sides: answers };
  }

  private async answer(source: string | null, request: SearchRequest, ctx: PlaygroundContext, query: string, gold: number): Promise<PlaygroundAnswer['sides'][number]> {
    const side = await this.side(source, request, ctx);
    const ids = buildInput(side.model.tokenizer, query, side.recipe.nlLength).ids;
    const { hits, scores } = await side.index.top(ids, request.k);
    const shown: PlaygroundHit[] = hits.map((h) => ({ index: h.index, score: h.score, code: this.pool[h.index]!.code.slice(0, CODE_CHARS), query: this.pool[h.index]!.query.slice(0, 300) }));
    return { source, hits: shown, goldRank: gold >= 0 ? rankOf(scores, gold) : null };
  }

  private async side(source: string | null, request: PoolRequest, ctx: PlaygroundContext): Promise<Side> {
    const adapterName = source === null ? (request.fromAdapter ?? '') : '';
    const key = `${source ?? 'model'}\u0000${adapterName}`;
    const cached = this.sides.get(key);
    if (cached) return cached;
    const { model, plan, values, recipe } = sourceWeights(source, request, ctx, 'search');
    this.rt ??= new Runtime(await acquireDevice(ctx.gpu));
    const tm = buildModel(this.rt, plan, trainerConfig(recipe, plan.peft), 'evaluate');
    tm.weights.load(values);
    const codes = encodeExamples(this.pool, model.tokenizer, recipe.codeLength, recipe.nlLength).code;
    const side = { index: await SearchIndex.build(this.rt, tm, codes, this.pool.length, recipe.evalBatchSize), tm, recipe, model };
    this.sides.set(key, side);
    return side;
  }

  /** Gives the device back (a run is starting, another model or adapter loaded). */
  dispose(): void {
    this.rt?.destroy();
    this.rt = null;
    this.sides.clear();
    this.pool = [];
    this.poolKey = '';
  }
}
