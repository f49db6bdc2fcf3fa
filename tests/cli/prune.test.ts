/**
 * `lab prune` on the demo model, checked with the real libraries: the folder loads in transformers with no
 * missing or unexpected weights, the zeros are where pruning_masks.safetensors (read by safetensors.torch as
 * bool tensors) says, the kept weights are the model's, and the masks equal torch.nn.utils.prune's own
 * global_unstructured L1 on the same model; the lab embeds the pruned folder as transformers does. Training on it
 * keeps the zeros and carries the masks along; a second round rewound to the pre-trained weights continues them.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSafeTensors } from '../../src/engine/io/safetensors';
import { expectClose } from '../helpers/compare';
import { lab, labOk } from '../helpers/lab_cli';
import { python, reference } from '../helpers/pyref';

const DEMO = 'public/demo/model';

const CHECK = `
import json, sys, torch
import torch.nn.utils.prune as prune
from safetensors.torch import load_file
from transformers import AutoModel
out, base, amount = sys.argv[1], sys.argv[2], float(sys.argv[3])
model, info = AutoModel.from_pretrained(out, output_loading_info=True)
ref = AutoModel.from_pretrained(base)
masks = load_file(out + "/pruning_masks.safetensors")
got, want = dict(model.named_parameters()), dict(ref.named_parameters())
modules = [(name, mod) for name, mod in ref.named_modules() if name + ".weight" in masks]
prune.global_unstructured([(mod, "weight") for _, mod in modules], pruning_method=prune.L1Unstructured, amount=amount)
print(json.dumps({
    "problems": [f"{k}: {v}" for k, v in info.items() if v],
    "dtypes": sorted({str(m.dtype) for m in masks.values()}),
    "masked": len(masks),
    "zeros": all(bool((got[n][~m] == 0).all()) for n, m in masks.items()),
    "kept": all(bool(torch.equal(got[n][m], want[n][m])) for n, m in masks.items()),
    "torch_masks": all(bool(torch.equal(mod.weight_mask.bool(), masks[name + ".weight"])) for name, mod in modules),
    "sparsity": sum(int((~m).sum()) for m in masks.values()) / sum(m.numel() for m in masks.values()),
}))
`;

function masksOf(dir: string): Map<string, Int32Array> {
  const file = readSafeTensors(new Uint8Array(readFileSync(join(dir, 'pruning_masks.safetensors'))));
  return new Map([...file.tensors].map(([n, t]) => [n, t.data as Int32Array]));
}

function weightsOf(dir: string): Map<string, Float32Array> {
  const file = readSafeTensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors'))));
  return new Map([...file.tensors].map(([n, t]) => [n, t.data as Float32Array]));
}

describe('lab prune', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-prune-'));
  const pruned = join(dir, 'pruned');

  it('writes a folder transformers loads with the zeros in place, masks equal to torch global L1 pruning', async () => {
    const run = await labOk('prune', '--model', DEMO, '--amount', '0.3', '--out', pruned);
    expect(run.stderr).toMatch(/sparsity of the prunable weights 0\.00% → 30\.00%/);
    const r = JSON.parse(python('-c', [CHECK, pruned, DEMO, '0.3']).trim().split('\n').pop()!) as Record<string, unknown>;
    expect(r).toEqual({ problems: [], dtypes: ['torch.bool'], masked: 12, zeros: true, kept: true, torch_masks: true, sparsity: expect.closeTo(0.3, 4) });
  });

  it('is embedded by the lab as transformers embeds it (pooler, 1e-5)', async () => {
    const data = join(dir, 'pairs.jsonl');
    writeFileSync(data, readFileSync('public/demo/test.jsonl', 'utf8').split('\n').slice(0, 16).join('\n'));
    const lengths = ['--code-length', '32', '--nl-length', '16'];
    reference('embed', '--model', pruned, '--data', data, ...lengths, '--out', join(dir, 'ref.safetensors'));
    await labOk('embed', '--model', pruned, '--data', data, ...lengths, '--out', join(dir, 'lab.safetensors'), '--software-gpu');
    const read = (f: string) => readSafeTensors(new Uint8Array(readFileSync(join(dir, f)))).tensors;
    for (const side of ['code', 'query']) expectClose(read('lab.safetensors').get(side)!.data as Float32Array, read('ref.safetensors').get(side)!.data as Float32Array, { atol: 1e-5, rtol: 0 }, side);
  });

  it('keeps the zeros through full fine-tuning, carries the masks, and a rewound second round continues them', async () => {
    const peft = join(dir, 'full.json');
    writeFileSync(peft, JSON.stringify({ methods: [{ type: 'full' }] }));
    const trained = join(dir, 'trained');
    await labOk('train', '--model', pruned, '--peft-config', peft, '--train', 'public/demo/train.jsonl', '--steps', '2', '--batch-size', '4', '--code-length', '16', '--nl-length', '8', '--lr', '0.01', '--weight-decay', '0.01', '--out', trained, '--software-gpu');
    const masks = masksOf(trained);
    const weights = weightsOf(trained);
    const before = weightsOf(pruned);
    let moved = 0;
    for (const [name, mask] of masks) {
      const w = weights.get(name)!;
      mask.forEach((keep, i) => (keep ? (moved += w[i] !== before.get(name)![i] ? 1 : 0) : expect(w[i], `${name}[${i}]`).toBe(0)));
    }
    expect(moved).toBeGreaterThan(0);

    const second = join(dir, 'round2');
    const run = await labOk('prune', '--model', trained, '--amount', '0.1', '--rewind-to', DEMO, '--out', second);
    expect(run.stderr).toMatch(/30\.00% → 37\.00%, rewound to/);
    const base = weightsOf(DEMO);
    const rewound = weightsOf(second);
    for (const [name, mask] of masksOf(second)) {
      mask.forEach((keep, i) => expect(rewound.get(name)![i]).toBe(keep ? base.get(name)![i] : 0));
      masks.get(name)!.forEach((was, i) => was === 0 && expect(mask[i]).toBe(0)); // a pruned weight stays pruned
    }
  });

  it('prunes only the chosen set (--prunable attention): the FFN weights keep every value', async () => {
    const out = join(dir, 'attention');
    await labOk('prune', '--model', DEMO, '--amount', '0.5', '--prunable', 'attention', '--out', out);
    const masks = masksOf(out);
    expect([...masks.keys()].every((n) => /attention\.(self\.(query|key|value)|output\.dense)\.weight$/.test(n))).toBe(true);
    expect(masks.size).toBe(8);
    const [weights, base] = [weightsOf(out), weightsOf(DEMO)];
    for (const name of ['encoder.layer.0.intermediate.dense.weight', 'encoder.layer.1.output.dense.weight']) expect([...weights.get(name)!]).toEqual([...base.get(name)!]);
  });

  it('refuses a missing amount, an unknown selection and masks that do not fit the model', async () => {
    expect((await lab('prune', '--model', DEMO, '--out', join(dir, 'x'))).stderr).toMatch(/needs --amount/);
    expect((await lab('prune', '--model', DEMO, '--amount', '0.1', '--selection', 'magnitude', '--out', join(dir, 'x'))).stderr).toMatch(/--selection must be one of l1, random/);
    const bad = join(dir, 'bad');
    await labOk('prune', '--model', DEMO, '--amount', '0.1', '--out', bad);
    writeFileSync(join(bad, 'pruning_masks.safetensors'), readFileSync(join(pruned, 'model.safetensors')));
    expect((await lab('prune', '--model', bad, '--amount', '0.1', '--out', join(dir, 'y'))).stderr).toMatch(/masks are BOOL tensors|not a prunable weight/);
    const other = await lab('prune', '--model', DEMO, '--amount', '0.1', '--rewind-to', 'public/sample/model', '--out', join(dir, 'z'));
    expect(other.stderr).toMatch(/--rewind-to public\/sample\/model is not the same architecture as --model public\/demo\/model \(vocabSize 4000 vs 1000\)/);
  });
});
