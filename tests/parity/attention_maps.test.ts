/**
 * The attention view's weights against transformers: RobertaModel(output_attentions=True, eager attention) on the
 * golden model and a padded input — every head of every layer, over the real tokens, within 1e-5 — and with
 * prefix-tuning rows (the lab's plain prefix) the keys' columns start with the prefix.
 */
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attentionMaps } from '../../src/engine/eval/attention_maps';
import { parsePeftConfig } from '../../src/engine/peft/parse';
import { planPeft } from '../../src/engine/peft/plan';
import { startingWeights } from '../../src/engine/train/starting_weights';
import { TrainableModel } from '../../src/engine/train/trainable_model';
import { expectClose } from '../helpers/compare';
import { testRuntime } from '../helpers/gpu';
import { python } from '../helpers/pyref';
import { GOLDEN_DIR } from '../helpers/pyref_paths';
import { goldenBatch, goldenConfig, goldenTensors } from '../model/golden';

const ATTENTIONS = `
import json, sys, torch
from transformers import RobertaModel
m = RobertaModel.from_pretrained(sys.argv[1], attn_implementation="eager").eval()
ids = torch.tensor([json.load(open(sys.argv[2]))])
with torch.no_grad():
    out = m(input_ids=ids, attention_mask=ids.ne(1).long(), output_attentions=True)
print(json.dumps([a[0].flatten().tolist() for a in out.attentions]))
`;

describe('attention maps', () => {
  it("equal transformers' attention probabilities for every layer and head of a padded input", async () => {
    const rt = await testRuntime();
    const model = goldenConfig();
    const plan = planPeft(model, parsePeftConfig({ methods: [{ type: 'bitfit' }] }, model));
    const base = new Map([...goldenTensors('base.safetensors').tensors].map(([k, t]) => [k, t.data as Float32Array]));
    const shape = { batchSize: 2, codeLength: 10, nlLength: 7, head: { pooling: 'cls' as const, normalize: false }, scale: 1, hiddenDropout: 0, attentionDropout: 0 };
    const tm = new TrainableModel(rt, plan, shape, null, 1);
    tm.weights.load(startingWeights(plan, { base }, 1).values);
    const ids = goldenBatch(goldenTensors('batches.safetensors'), 'code_ids', 0).subarray(10, 20); // row 1: padded
    const dir = mkdtempSync(join(tmpdir(), 'lab-attn-'));
    writeFileSync(join(dir, 'ids.json'), JSON.stringify([...ids]));
    const want = JSON.parse(python('-c', [ATTENTIONS, join(GOLDEN_DIR, 'model'), join(dir, 'ids.json')]).trim()) as number[][];
    const T = 10;
    for (let layer = 0; layer < model.layers; layer++) {
      const maps = await attentionMaps(rt, tm, ids, layer);
      const n = maps.tokens;
      expect(n).toBe([...ids].indexOf(1));
      expect(maps.prefix).toBe(0);
      maps.heads.forEach((probs, h) => {
        const ref = Float64Array.from({ length: n * n }, (_, x) => want[layer]![h * T * T + Math.floor(x / n) * T + (x % n)]!);
        expectClose(probs, ref, { atol: 1e-5, rtol: 0 }, `layer ${layer} head ${h}`);
        for (let i = 0; i < n; i++) expect(probs.subarray(i * n, (i + 1) * n).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      });
    }
  });

  it("puts a prefix's keys first: each row still sums to one over prefix and tokens", async () => {
    const rt = await testRuntime();
    const model = goldenConfig();
    const plan = planPeft(model, parsePeftConfig({ methods: [{ type: 'prefix', length: 3, projection: null }] }, model));
    const base = new Map([...goldenTensors('base.safetensors').tensors].map(([k, t]) => [k, t.data as Float32Array]));
    const shape = { batchSize: 2, codeLength: 10, nlLength: 7, head: { pooling: 'cls' as const, normalize: false }, scale: 1, hiddenDropout: 0, attentionDropout: 0 };
    const tm = new TrainableModel(rt, plan, shape, null, 1);
    tm.weights.load(startingWeights(plan, { base }, 1).values);
    const ids = goldenBatch(goldenTensors('batches.safetensors'), 'code_ids', 0).subarray(10, 20);
    const maps = await attentionMaps(rt, tm, ids, 1);
    expect(maps.prefix).toBe(3);
    const w = maps.prefix + maps.tokens;
    for (let i = 0; i < maps.tokens; i++) expect(maps.heads[0]!.subarray(i * w, (i + 1) * w).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(Math.max(...maps.heads[0]!.subarray(0, 3))).toBeGreaterThan(0); // the prefix keys take some attention
  });
});
