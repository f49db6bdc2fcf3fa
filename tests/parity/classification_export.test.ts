/**
 * Classification exports the real libraries load: a tiny classification run (LoRA; full fine-tuning) is trained by
 * the engine on the golden RobertaModel, exported as the CLI and the dashboard export it, and loaded the way a user
 * would — PeftModel.from_pretrained over AutoModelForSequenceClassification (the head saved as modules_to_save),
 * AutoModelForSequenceClassification.from_pretrained of the model folder (no missing or unexpected keys) — whose
 * logits on the same inputs must equal the lab's within 1e-5, with the class names as id2label; and the lab reads
 * both back (importAdapter; a trained folder without a pooler) with every trained tensor as it was.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyAll } from '../../src/engine/eval/classification_eval';
import { loadCheckpoint, mapToModel } from '../../src/engine/io/checkpoint';
import { exportTrained, importAdapter } from '../../src/engine/io/export';
import { parsePeftConfig } from '../../src/engine/peft/parse';
import { planPeft } from '../../src/engine/peft/plan';
import { trainerConfig } from '../../src/engine/train/run_config';
import { DEFAULT_RECIPE } from '../../src/engine/train/run_config';
import { startingWeights } from '../../src/engine/train/starting_weights';
import { runTraining } from '../../src/engine/train/trainer';
import { expectClose } from '../helpers/compare';
import { testRuntime } from '../helpers/gpu';
import { python } from '../helpers/pyref';
import { GOLDEN_DIR } from '../helpers/pyref_paths';
import { Rng } from '../helpers/random';
import { goldenConfig, goldenTensors } from '../model/golden';

const T = 10;

/** n rows of <s> tokens </s> padded to T, with random classes. */
function labelled(n: number, classes: number, seed: number): { n: number; code: Uint32Array; nl: Uint32Array; labels: Uint32Array } {
  const rng = new Rng(seed);
  const code = new Uint32Array(n * T).fill(1);
  const labels = Uint32Array.from({ length: n }, () => rng.int(0, classes));
  for (let i = 0; i < n; i++) {
    const len = rng.int(1, T - 1);
    code.set([0, ...Array.from({ length: len }, () => rng.int(3, 50)), 2], i * T);
  }
  return { n, code, nl: new Uint32Array(0), labels };
}

const LOAD = `
import json, sys, torch
from transformers import AutoModelForSequenceClassification
base, run, kind, ids_path = sys.argv[1:5]
ids = torch.tensor(json.load(open(ids_path)))
if kind == "peft":
    from peft import PeftModel
    m = AutoModelForSequenceClassification.from_pretrained(base, num_labels=int(sys.argv[5]))
    m = PeftModel.from_pretrained(m, run)
    info = {"missing_keys": [], "unexpected_keys": []}
else:
    m, info = AutoModelForSequenceClassification.from_pretrained(run, output_loading_info=True)
m.eval()
with torch.no_grad():
    logits = m(input_ids=ids, attention_mask=ids.ne(1).long()).logits
print(json.dumps({"logits": logits.flatten().tolist(), "missing": list(info["missing_keys"]), "unexpected": list(info["unexpected_keys"]), "id2label": m.config.id2label}))
`;

describe('classification exports the real libraries load', () => {
  it.each([
    ['lora', 3, { methods: [{ type: 'lora', r: 4, alpha: 8, targets: ['query', 'value'] }] }, 'peft'],
    ['full', 2, { methods: [{ type: 'full' }] }, 'folder'],
  ] as const)('%s (%i classes): the export loads and classifies as the lab does', async (name, classes, peftJson, kind) => {
    const rt = await testRuntime();
    const model = goldenConfig();
    const base = new Map([...goldenTensors('base.safetensors').tensors].map(([k, t]) => [k, t.data as Float32Array]));
    const plan = planPeft(model, parsePeftConfig(peftJson, model), classes);
    const recipe = { ...DEFAULT_RECIPE, batchSize: 4, steps: 4, lr: 0.02, codeLength: T, nlLength: 3, hiddenDropout: 0, attentionDropout: 0 };
    const config = trainerConfig(recipe, plan.peft, { kind: 'classification', classes, classWeights: null, bestMetric: 'accuracy' });
    const start = startingWeights(plan, { base }, 7);
    const out = await runTraining(rt, plan, start.values, config, { train: labelled(16, classes, 1), valid: null }, () => undefined);
    const test = labelled(6, classes, 2);
    const lab = await classifyAll(rt, out.model, test, 4);
    const names = Array.from({ length: classes }, (_, i) => `class-${i}`);
    const files = exportTrained({ plan, trained: out.final, base: start.values, baseModel: 'golden', hfConfig: JSON.parse(readFileSync(join(GOLDEN_DIR, 'config.json'), 'utf8')) as Record<string, unknown>, classNames: names });
    const dir = mkdtempSync(join(tmpdir(), `lab-cls-${name}-`));
    for (const [file, bytes] of files) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), bytes);
    }
    const idsPath = join(dir, 'ids.json');
    writeFileSync(idsPath, JSON.stringify(Array.from({ length: test.n }, (_, i) => Array.from(test.code.subarray(i * T, (i + 1) * T)))));
    const ref = JSON.parse(python('-c', [LOAD, join(GOLDEN_DIR, 'model'), dir, kind, idsPath, String(classes)]).trim().split('\n').pop()!) as { logits: number[]; missing: string[]; unexpected: string[]; id2label: Record<string, string> };
    expect(ref.missing, 'missing keys').toEqual([]);
    expect(ref.unexpected, 'unexpected keys').toEqual([]);
    if (kind === 'folder') expect(ref.id2label).toEqual(Object.fromEntries(names.map((c, i) => [String(i), c])));
    expectClose(lab, Float64Array.from(ref.logits), { atol: 1e-5, rtol: 0 }, `${name} logits`);
    // The lab reads its own export back: the head and the method's tensors, as trained.
    const back = kind === 'peft' ? importAdapter(files, model).tensors : (() => {
      const mapped = mapToModel(loadCheckpoint(files.get('model.safetensors')!, 'model.safetensors'), model, 'model.safetensors', { poolerOptional: true });
      return new Map([...mapped.weights, ...mapped.head]);
    })();
    for (const spec of plan.trainable) expectClose(back.get(spec.name)!, out.final.get(spec.name)!, { atol: 0, rtol: 0 }, `read back: ${spec.name}`);
    // The run moved the head: the logits are not the untrained ones.
    const untrained = await runTraining(rt, plan, start.values, { ...config, steps: 1, lr: 0 }, { train: labelled(16, classes, 1), valid: null }, () => undefined);
    const before = await classifyAll(rt, untrained.model, test, 4);
    expect(Math.max(...lab.map((v, i) => Math.abs(v - before[i]!)))).toBeGreaterThan(1e-3);
  });
});
