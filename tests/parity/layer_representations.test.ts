/**
 * The layer analysis reads every layer's representation on the GPU (engine/eval/layer_representations.ts):
 * against transformers' `output_hidden_states=True` on a tiny save_pretrained RobertaModel — the <s> state and
 * the mean over real tokens of the embeddings' output and of each layer — within 1e-5, with an evaluation batch
 * (5) that leaves a partial last chunk.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelDir } from '../../src/cli/model_dir';
import { readShard } from '../../src/engine/data';
import { sourceFromPath } from '../../src/engine/data/node_source';
import { layerRepresentations } from '../../src/engine/eval/layer_representations';
import { encodeExamples } from '../../src/engine/io/encode';
import { parsePeftConfig } from '../../src/engine/peft/parse';
import { planPeft } from '../../src/engine/peft/plan';
import { buildModel } from '../../src/engine/train/build_model';
import { parseRecipe, trainerConfig } from '../../src/engine/train/run_config';
import { startingWeights } from '../../src/engine/train/starting_weights';
import { expectClose } from '../helpers/compare';
import { testRuntime } from '../helpers/gpu';
import { python, tinyModels } from '../helpers/pyref';

const HIDDEN_STATES = `
import json, sys, torch
from transformers import AutoModel
model = AutoModel.from_pretrained(sys.argv[1], attn_implementation="eager").eval()
ids = torch.tensor(json.load(open(sys.argv[2])))
mask = (ids != model.config.pad_token_id).long()
with torch.no_grad():
    states = model(input_ids=ids, attention_mask=mask, output_hidden_states=True).hidden_states
m = mask.unsqueeze(-1).float()
print(json.dumps({"cls": [h[:, 0].flatten().tolist() for h in states], "mean": [((h * m).sum(1) / m.sum(1)).flatten().tolist() for h in states]}))
`;

describe('every layer\'s representation equals transformers\' hidden states', () => {
  it('<s> and mean pooling of the embeddings and of each layer, within 1e-5', async () => {
    const dir = tinyModels('lab-layers-', { 'pairs.jsonl': ['test.jsonl', 12] });
    const model = loadModelDir(join(dir, 'st'));
    const recipe = parseRecipe({ codeLength: 16, nlLength: 8, evalBatchSize: 5 }, model.config);
    const { examples } = await readShard(await sourceFromPath(join(dir, 'pairs.jsonl')));
    const set = encodeExamples(examples, model.tokenizer, recipe.codeLength, recipe.nlLength);
    writeFileSync(join(dir, 'ids.json'), JSON.stringify(Array.from({ length: set.n }, (_, i) => [...set.code.subarray(i * 16, (i + 1) * 16)])));
    const want = JSON.parse(python('-c', [HIDDEN_STATES, join(dir, 'st'), join(dir, 'ids.json')])) as Record<'cls' | 'mean', number[][]>;
    const rt = await testRuntime();
    const peft = parsePeftConfig({ methods: [{ type: 'bitfit' }] }, model.config);
    const plan = planPeft(model.config, peft);
    const tm = buildModel(rt, plan, trainerConfig(recipe, peft), 'evaluate');
    tm.weights.load(startingWeights(plan, { base: model.weights }, 1).values);
    for (const mode of ['cls', 'mean'] as const) {
      const got = await layerRepresentations(rt, tm, set.code, set.n, recipe.evalBatchSize, mode);
      expect(got.length).toBe(model.config.layers + 1);
      got.forEach((layer, l) => expectClose(layer, Float32Array.from(want[mode][l]!), { atol: 1e-5, rtol: 0 }, `${mode} layer ${l}`));
    }
  });
});
