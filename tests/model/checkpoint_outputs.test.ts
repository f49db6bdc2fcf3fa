/**
 * The same tiny weights saved by real PyTorch in every supported form (safetensors, prefixed safetensors with
 * extra heads and buffers, zip .bin with gamma/beta names, legacy .bin, views sharing storages) load into the
 * engine and give identical embeddings. (tests/fixtures/torch, written by tools/make_torch_fixtures.py.)
 */
import { planPeft } from '../../src/engine/peft/plan';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { embedAll } from '../../src/engine/eval/retrieval';
import { loadCheckpoint, mapToModel } from '../../src/engine/io/checkpoint';
import { parsePeftConfig } from '../../src/engine/peft/parse';
import { TrainableModel } from '../../src/engine/train/trainable_model';
import { testRuntime } from '../helpers/gpu';
import { goldenBatch, goldenConfig, goldenTensors } from './golden';

const FILES = ['tiny_prefixed.safetensors', 'tiny_zip.bin', 'tiny_legacy.bin', 'tiny_views.bin'];

describe('checkpoint formats give identical model outputs', () => {
  it.each(FILES)('%s embeds exactly like tiny.safetensors', async (file) => {
    const rt = await testRuntime();
    const model = goldenConfig();
    const embed = async (name: string) => {
      const bytes = new Uint8Array(readFileSync(`tests/fixtures/torch/${name}`));
      const { weights } = mapToModel(loadCheckpoint(bytes, name), model);
      const shape = { batchSize: 3, codeLength: 10, nlLength: 7, head: { pooling: 'pooler' as const, normalize: false }, scale: 1, hiddenDropout: 0, attentionDropout: 0 };
      const tm = new TrainableModel(rt, planPeft(model, parsePeftConfig({ methods: [{ type: 'bitfit' }] }, model)), shape, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 }, 1);
      tm.weights.load(weights);
      const batches = goldenTensors('batches.safetensors');
      return embedAll(rt, tm, { n: 3, code: goldenBatch(batches, 'code_ids', 0), nl: goldenBatch(batches, 'nl_ids', 0) }, 3);
    };
    const want = await embed('tiny.safetensors');
    const got = await embed(file);
    expect([...got.code]).toEqual([...want.code]);
    expect([...got.nl]).toEqual([...want.nl]);
  });
});
