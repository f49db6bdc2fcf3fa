/**
 * Code-search evaluation exactly as CodeXGLUE (AdvTest run.py): every code and every query of the eval set is
 * embedded, query i's candidates are all N codes, rank_i = 1 + #{j ≠ i : s_ij ≥ s_ii} (ties count against the
 * query), MRR = mean(1/rank). Runs on the GPU in chunks: code embeddings (N, C) stay on the GPU, each query
 * chunk is scored against all of them and ranked there; only the N ranks come back.
 */
import { copyInto, type Runtime, type StepCommand } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { matmul } from '../kernels/matmul';
import { retrievalRank, setQueryOffset } from '../kernels/retrieval_rank';
import type { EncoderTower } from '../model/encoder';
import { meanReciprocalRank, recallAt } from './rank_metrics';
import type { TrainableModel } from '../train/trainable_model';

/**
 * Token ids of a data set, padded: code (n, codeLength) and queries (n, nlLength), row i pairs code i with query
 * i. A classification set holds its inputs in `code`, no queries, and each row's class in `labels`.
 */
export interface EncodedSet {
  readonly n: number;
  readonly code: Uint32Array;
  readonly nl: Uint32Array;
  readonly labels?: Uint32Array;
}

export interface RetrievalMetrics {
  readonly n: number;
  readonly mrr: number;
  readonly recall1: number;
  readonly recall5: number;
  readonly recall10: number;
}

export interface Embeddings {
  readonly code: Float32Array; // (n, C)
  readonly nl: Float32Array; // (n, C)
}

export async function evaluateRetrieval(rt: Runtime, tm: TrainableModel, set: EncodedSet, batch: number): Promise<{ metrics: RetrievalMetrics; ranks: Uint32Array }> {
  const run = new EvalRun(rt, tm, set, batch);
  run.embedCode();
  const ranks = run.rankQueries();
  const [bytes] = await rt.runRaw([], [ranks]);
  run.release();
  const r = new Uint32Array(bytes!);
  const metrics = { n: set.n, mrr: meanReciprocalRank(r), recall1: recallAt(r, 1), recall5: recallAt(r, 5), recall10: recallAt(r, 10) };
  return { metrics, ranks: r };
}

export async function embedAll(rt: Runtime, tm: TrainableModel, set: EncodedSet, batch: number): Promise<Embeddings> {
  const run = new EvalRun(rt, tm, set, batch);
  run.embedCode();
  run.embedQueries();
  const [code, nl] = await rt.run([], [run.codeEmb, run.nlEmb]);
  run.release();
  return { code: code!, nl: nl! };
}

class EvalRun {
  readonly codeEmb: Tensor; // (n, C)
  readonly nlEmb: Tensor; // (n, C)
  private readonly ranks: Tensor; // (n) u32
  private readonly chunkRanks: Tensor; // (batch) u32
  private readonly scores: Tensor; // (batch, n)
  private readonly offset: Tensor; // uniform: the chunk's first query
  private readonly codeTower: EncoderTower;
  private readonly nlTower: EncoderTower;
  private readonly C: number;

  constructor(
    private readonly rt: Runtime,
    tm: TrainableModel,
    private readonly set: EncodedSet,
    private readonly batch: number,
  ) {
    if (set.n < 1) throw new Error('the evaluation set is empty');
    this.C = tm.model.hidden;
    this.codeTower = tm.evalTower('code', batch);
    this.nlTower = tm.evalTower('nl', batch);
    this.codeEmb = rt.tensor([set.n, this.C], 'eval.codeEmb');
    this.nlEmb = rt.tensor([set.n, this.C], 'eval.nlEmb');
    this.ranks = rt.tensor([set.n], 'eval.ranks', 'u32');
    this.chunkRanks = rt.tensor([batch], 'eval.chunkRanks', 'u32');
    this.scores = rt.tensor([batch, set.n], 'eval.scores');
    this.offset = rt.uniform(1, 'eval.offset');
    rt.submit(tm.prefixForward());
  }

  /** Chunk k's ids (batch rows), the tail padded with all-pad rows whose outputs are never copied. */
  private chunk(ids: Uint32Array, k: number, T: number): { ids: Uint32Array; valid: number } {
    const start = k * this.batch;
    const valid = Math.min(this.batch, this.set.n - start);
    const out = new Uint32Array(this.batch * T).fill(1);
    out.set(ids.subarray(start * T, (start + valid) * T));
    return { ids: out, valid };
  }

  private get chunks(): number {
    return Math.ceil(this.set.n / this.batch);
  }

  embedCode(): void {
    const tower = this.codeTower;
    const forward = tower.inference();
    for (let k = 0; k < this.chunks; k++) {
      const { ids, valid } = this.chunk(this.set.code, k, tower.shape.T);
      tower.setBatch(ids, 0);
      this.rt.submit([...forward, copyInto(this.codeEmb, k * this.batch * this.C, tower.head.vec, valid * this.C)]);
    }
  }

  embedQueries(): void {
    this.forQueries(() => []);
  }

  /** Scores each query chunk against every code and ranks it; returns the (n) ranks tensor. */
  rankQueries(): Tensor {
    const rank: StepCommand[] = [
      matmul(this.rt, this.scores, this.nlTower.head.vec, this.codeEmb, null, { M: this.batch, N: this.set.n, K: this.C, transB: true }),
      retrievalRank(this.rt, this.chunkRanks, this.scores, this.offset, this.batch, this.set.n),
    ];
    this.forQueries((k, valid) => [...rank, copyInto(this.ranks, k * this.batch, this.chunkRanks, valid)]);
    return this.ranks;
  }

  private forQueries(after: (k: number, valid: number) => StepCommand[]): void {
    const tower = this.nlTower;
    const forward = tower.inference();
    for (let k = 0; k < this.chunks; k++) {
      const { ids, valid } = this.chunk(this.set.nl, k, tower.shape.T);
      tower.setBatch(ids, 0);
      setQueryOffset(this.rt, this.offset, k * this.batch);
      this.rt.submit([...forward, copyInto(this.nlEmb, k * this.batch * this.C, tower.head.vec, valid * this.C), ...after(k, valid)]);
    }
  }

  release(): void {
    this.rt.release(this.codeEmb, this.nlEmb, this.ranks, this.chunkRanks, this.scores, this.offset);
  }
}
