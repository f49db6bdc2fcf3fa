/**
 * Evaluation against independent computations: the eval towers' embeddings equal PyTorch's (golden fixture,
 * untrained weights), and the GPU-ranked MRR / recall@k equal a CPU ranking of the read-back embeddings,
 * with an eval-set size that leaves a partial last chunk.
 */
import { planPeft } from '../../src/engine/peft/plan';
import { describe, expect, it } from 'vitest';
import { embedAll, evaluateRetrieval } from '../../src/engine/eval/retrieval';
import { rankOf, SearchIndex, topK } from '../../src/engine/eval/search_index';
import { parsePeftConfig } from '../../src/engine/peft/parse';
import { TrainableModel } from '../../src/engine/train/trainable_model';
import { mrrFromRanks, recallAtK, retrievalRank } from '../../src/reference/retrieval_rank';
import { expectClose } from '../helpers/compare';
import { testRuntime } from '../helpers/gpu';
import { f32, goldenBatch, goldenCase, goldenConfig, goldenTensors } from './golden';

const ADAM = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 };

async function goldenModel() {
  const rt = await testRuntime();
  const model = goldenConfig();
  const shape = { batchSize: 3, codeLength: 10, nlLength: 7, head: { pooling: 'pooler' as const, normalize: false }, scale: 1, hiddenDropout: 0, attentionDropout: 0 };
  const tm = new TrainableModel(rt, planPeft(model, parsePeftConfig({ methods: [{ type: 'bitfit' }] }, model)), shape, ADAM, 1);
  const base = goldenTensors('base.safetensors');
  tm.weights.load(new Map([...base.tensors].map(([k, t]) => [k, t.data as Float32Array])));
  const batches = goldenTensors('batches.safetensors');
  const code = [0, 1, 2].map((s) => goldenBatch(batches, 'code_ids', s));
  const nl = [0, 1, 2].map((s) => goldenBatch(batches, 'nl_ids', s));
  const set = (n: number) => ({ n, code: concat(code).subarray(0, n * 10), nl: concat(nl).subarray(0, n * 7) });
  return { rt, tm, set };
}

function concat(parts: Uint32Array[]): Uint32Array {
  const out = new Uint32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}

describe('retrieval evaluation', () => {
  it('embeds like PyTorch (the untrained golden model)', async () => {
    const { rt, tm, set } = await goldenModel();
    const { meta, tensors } = goldenCase('bitfit');
    expect(meta.batch.size).toBe(3);
    const emb = await embedAll(rt, tm, set(3), 2); // batch 2: a full chunk and a partial one
    expectClose(emb.code, f32(tensors, 'code_vec'), { atol: 1e-5, rtol: 0 }, 'code embeddings');
    expectClose(emb.nl, f32(tensors, 'nl_vec'), { atol: 1e-5, rtol: 0 }, 'query embeddings');
  });

  it('ranks on the GPU as a CPU ranking of the same embeddings does (ties against the query)', async () => {
    const { rt, tm, set } = await goldenModel();
    const n = 8;
    const emb = await embedAll(rt, tm, set(n), 3);
    const C = tm.model.hidden;
    const scores = new Float32Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let c = 0; c < C; c++) s += emb.nl[i * C + c]! * emb.code[j * C + c]!;
        scores[i * n + j] = s;
      }
    const want = new Uint32Array(n);
    retrievalRank(want, scores, n, n, 0);
    const { metrics, ranks } = await evaluateRetrieval(rt, tm, set(n), 3);
    expect([...ranks]).toEqual([...want]);
    expect(metrics.mrr).toBeCloseTo(mrrFromRanks(want), 12);
    expect(metrics.recall1).toBe(recallAtK(want, 1));
    expect(metrics.n).toBe(n);
  });
});

describe('the playground index', () => {
  it('scores one query against the pool as the dot products of the embeddings, and ranks as the evaluation does', async () => {
    const { rt, tm, set } = await goldenModel();
    const pool = set(9);
    const emb = await embedAll(rt, tm, pool, 2);
    const { ranks } = await evaluateRetrieval(rt, tm, pool, 4);
    const index = await SearchIndex.build(rt, tm, pool.code, 9, 4); // a partial last chunk
    const C = tm.model.hidden;
    for (let q = 0; q < 9; q++) {
      const { hits, scores } = await index.top(pool.nl.subarray(q * 7, (q + 1) * 7), 3);
      const want = Float64Array.from({ length: 9 }, (_, j) => {
        let s = 0;
        for (let c = 0; c < C; c++) s += emb.nl[q * C + c]! * emb.code[j * C + c]!;
        return s;
      });
      expectClose(scores, want, { atol: 1e-5, rtol: 1e-5 }, `query ${q} scores`);
      expect(rankOf(scores, q), `query ${q}`).toBe(ranks[q]);
      expect(hits.map((h) => h.index)).toEqual(topK(want, 3).map((h) => h.index));
    }
    index.release();
  });
});

