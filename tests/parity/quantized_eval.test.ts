/**
 * Weight-only quantized evaluation (`--weights`, src/engine/quant/precision.ts) against torch on the demo model:
 * transformers' RobertaModel with every nn.Linear weight replaced by `.half().float()` (fp16) or by the
 * dequantized weight of `quantize_dynamic` (int8 per tensor; int8 per channel with per_channel_dynamic_qconfig),
 * saved and embedded by the reference; the lab's `embed --weights` gives the same embeddings within 1e-5.
 * `eval --weights` reports the precision and the stored sizes.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSafeTensors } from '../../src/engine/io/safetensors';
import { expectClose } from '../helpers/compare';
import { lab, labOk } from '../helpers/lab_cli';
import { python, reference } from '../helpers/pyref';

const DEMO = 'public/demo/model';

const TORCH = `
import copy, sys, torch
from torch.ao.quantization import quantize_dynamic, default_dynamic_qconfig, per_channel_dynamic_qconfig
from transformers import AutoModel
model = AutoModel.from_pretrained(sys.argv[1])
for precision, out in zip(("fp16", "int8", "int8-channel"), sys.argv[2:5]):
    m = copy.deepcopy(model)
    if precision == "fp16":
        for mod in m.modules():
            if isinstance(mod, torch.nn.Linear):
                mod.weight.data = mod.weight.data.half().float()
    else:
        qconfig = default_dynamic_qconfig if precision == "int8" else per_channel_dynamic_qconfig
        q = dict(quantize_dynamic(copy.deepcopy(model), {torch.nn.Linear: qconfig}, dtype=torch.qint8).named_modules())
        for name, mod in m.named_modules():
            if isinstance(mod, torch.nn.Linear):
                mod.weight.data = q[name].weight().dequantize()
    m.save_pretrained(out)
`;

describe('weight-only quantized evaluation equals torch with the same weights', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-quant-'));
  const outs = { fp16: join(dir, 'fp16'), int8: join(dir, 'int8'), 'int8-channel': join(dir, 'int8c') };
  const data = join(dir, 'pairs.jsonl');
  writeFileSync(data, readFileSync('public/demo/test.jsonl', 'utf8').split('\n').slice(0, 16).join('\n'));
  const lengths = ['--code-length', '32', '--nl-length', '16'];
  let made = false;
  const torchModels = (): void => {
    if (made) return;
    python('-c', [TORCH, DEMO, outs.fp16, outs.int8, outs['int8-channel']]);
    for (const d of Object.values(outs)) for (const f of ['vocab.json', 'merges.txt']) copyFileSync(join(DEMO, f), join(d, f));
    made = true;
  };

  it.each(['fp16', 'int8', 'int8-channel'] as const)('%s: lab embed --weights = the reference on torch-quantized weights (1e-5)', async (precision) => {
    torchModels();
    reference('embed', '--model', outs[precision], '--data', data, ...lengths, '--out', join(dir, `${precision}.ref.safetensors`));
    await labOk('embed', '--model', DEMO, '--weights', precision, '--data', data, ...lengths, '--out', join(dir, `${precision}.lab.safetensors`), '--software-gpu');
    const read = (f: string) => readSafeTensors(new Uint8Array(readFileSync(join(dir, f)))).tensors;
    const [got, want] = [read(`${precision}.lab.safetensors`), read(`${precision}.ref.safetensors`)];
    for (const side of ['code', 'query']) expectClose(got.get(side)!.data as Float32Array, want.get(side)!.data as Float32Array, { atol: 1e-5, rtol: 0 }, `${precision} ${side}`);
  });

  it('eval --weights reports the precision and the stored sizes; a bad precision is refused', async () => {
    // 13 linear weights (6 per layer × 2, the pooler): 69,632 values.
    const linear = 2 * (4 * 64 * 64 + 2 * 64 * 128) + 64 * 64;
    const run = async (p: string) => JSON.parse((await labOk('eval', '--model', DEMO, '--weights', p, '--data', data, ...lengths, '--software-gpu')).stdout) as Record<string, number | string>;
    const [f32, int8] = [await run('f32'), await run('int8')];
    expect(f32).toMatchObject({ weights: 'f32', linear_bytes: 4 * linear });
    expect(int8).toMatchObject({ weights: 'int8', linear_bytes: linear + 4 * 13 });
    expect(Number(f32.model_bytes) - Number(int8.model_bytes)).toBe(3 * linear - 4 * 13);
    expect((await lab('eval', '--model', DEMO, '--weights', 'int4', '--data', data, '--software-gpu')).stderr).toMatch(/--weights must be one of f32, fp16, int8, int8-channel/);
  });
});
