/**
 * The code-search playground's index: every code of a pool embedded once by a model (its code tower, no
 * dropout) and kept on the GPU as (n, C); a typed query is embedded by the query tower and scored against all of
 * them with one matmul (scale · q · codeᵀ, as the trainer scores), and only the n scores come back. Queries
 * then cost one forward of one sequence, so the playground answers as the user types.
 */
import { copyInto, type Runtime } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { matmul } from '../kernels/matmul';
import type { TrainableModel } from '../train/trainable_model';

export interface SearchHit {
  /** The code's index in the pool. */
  readonly index: number;
  readonly score: number;
}

export class SearchIndex {
  private constructor(
    private readonly rt: Runtime,
    private readonly tm: TrainableModel,
    private readonly codes: Tensor, // (n, C) the pool's code embeddings
    private readonly scores: Tensor, // (1, n)
    readonly n: number,
  ) {}

  /** Embeds the pool's codes (`ids`: n rows of the recipe's code length, padded) in batches of `batch`. */
  static async build(rt: Runtime, tm: TrainableModel, ids: Uint32Array, n: number, batch: number): Promise<SearchIndex> {
    if (n < 1) throw new Error('the pool is empty');
    const tower = tm.evalTower('code', batch);
    const { T } = tower.shape;
    const C = tm.model.hidden;
    if (ids.length !== n * T) throw new RangeError(`SearchIndex: ${ids.length} ids for ${n} rows of ${T}`);
    const codes = rt.tensor([n, C], 'search.codes');
    rt.submit(tm.prefixForward());
    const forward = tower.inference();
    for (let start = 0; start < n; start += batch) {
      const valid = Math.min(batch, n - start);
      const chunk = new Uint32Array(batch * T).fill(tm.model.padTokenId);
      chunk.set(ids.subarray(start * T, (start + valid) * T));
      tower.setBatch(chunk, 0);
      rt.submit([...forward, copyInto(codes, start * C, tower.head.vec, valid * C)]);
    }
    await rt.run([], []); // the pool is embedded before the first query is timed
    return new SearchIndex(rt, tm, codes, rt.tensor([1, n], 'search.scores'), n);
  }

  /** Every code's score for one query (`ids`: one row of the recipe's query length, padded). */
  async scoresFor(ids: Uint32Array): Promise<Float32Array> {
    const tower = this.tm.evalTower('nl', 1);
    if (ids.length !== tower.shape.T) throw new RangeError(`SearchIndex: a query of ${ids.length} ids, expected ${tower.shape.T}`);
    tower.setBatch(ids, 0);
    const C = this.tm.model.hidden;
    const score = matmul(this.rt, this.scores, tower.head.vec, this.codes, null, { M: 1, N: this.n, K: C, transB: true, alpha: this.tm.shape.scale });
    const [scores] = await this.rt.run([...tower.inference(), score], [this.scores]);
    return scores!;
  }

  /** The k best codes for a query, best first (ties: the lower index first). */
  async top(ids: Uint32Array, k: number): Promise<{ hits: SearchHit[]; scores: Float32Array }> {
    const scores = await this.scoresFor(ids);
    return { hits: topK(scores, k), scores };
  }

  release(): void {
    this.rt.release(this.codes, this.scores);
  }
}

export function topK(scores: ArrayLike<number>, k: number): SearchHit[] {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  return order.slice(0, k).map((index) => ({ index, score: scores[index]! }));
}

/** The rank (1-based) of code `gold` among `scores`, counting ties against it as AdvTest does. */
export function rankOf(scores: ArrayLike<number>, gold: number): number {
  let rank = 1;
  for (let j = 0; j < scores.length; j++) if (j !== gold && scores[j]! >= scores[gold]!) rank++;
  return rank;
}
