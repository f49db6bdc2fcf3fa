/**
 * The int8 export (`lab quantize`, engine/quant/int8_file.ts) read by safetensors.torch: each linear weight is
 * an int8 tensor equal to quantize_dynamic's int_repr(), its scales equal q_scale()/q_per_channel_scales(), so
 * int8 · scale is torch's dequantized weight exactly; the other parameters are the model's own float32 values.
 * `lab quantize-eval` reports every precision with MRR and size; its f32 and int8 rows are `lab eval`'s.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lab, labOk } from '../helpers/lab_cli';
import { python } from '../helpers/pyref';

const DEMO = 'public/demo/model';

const CHECK = `
import json, sys, torch
from safetensors.torch import load_file
from torch.ao.quantization import quantize_dynamic, default_dynamic_qconfig, per_channel_dynamic_qconfig
from transformers import AutoModel
out, base, granularity = sys.argv[1], sys.argv[2], sys.argv[3]
f = load_file(out + "/model.int8.safetensors")
model = AutoModel.from_pretrained(base)
qconfig = default_dynamic_qconfig if granularity == "per-tensor" else per_channel_dynamic_qconfig
q = dict(quantize_dynamic(model, {torch.nn.Linear: qconfig}, dtype=torch.qint8).named_modules())
linear = [n for n, m in q.items() if type(m).__name__ == "Linear" and hasattr(m, "_packed_params")]
checks = {"linear": len(linear), "int8": True, "scales": True, "dequantized": True}
for n in linear:
    w = q[n].weight()
    got, scale = f[n + ".weight"], f[n + ".weight.scale"]
    want_scale = torch.tensor([w.q_scale()]) if granularity == "per-tensor" else w.q_per_channel_scales().float()
    checks["int8"] &= got.dtype == torch.int8 and torch.equal(got, w.int_repr())
    checks["scales"] &= scale.dtype == torch.float32 and torch.equal(scale, want_scale.float())
    deq = got.float() * (scale if granularity == "per-tensor" else scale[:, None])
    checks["dequantized"] &= torch.equal(deq, w.dequantize())
params = dict(AutoModel.from_pretrained(base).named_parameters())
others = [k for k in f if not k.endswith(".scale") and f[k].dtype == torch.float32]
checks["others_equal"] = all(torch.equal(f[k], params[k].detach()) for k in others)
checks["complete"] = sorted(others + [n + ".weight" for n in linear]) == sorted(params)
print(json.dumps(checks))
`;

describe('lab quantize and quantize-eval', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-int8-'));

  it.each(['int8', 'int8-channel'] as const)('%s: model.int8.safetensors holds quantize_dynamic\'s int8 weights and scales exactly', async (weights) => {
    const out = join(dir, weights);
    const run = await labOk('quantize', '--model', DEMO, '--weights', weights, '--out', out);
    expect(run.stderr).toMatch(/wrote model\.int8\.safetensors .* smaller than the float32 weights/);
    const r = JSON.parse(python('-c', [CHECK, out, DEMO, weights === 'int8' ? 'per-tensor' : 'per-channel']).trim().split('\n').pop()!) as Record<string, unknown>;
    expect(r).toEqual({ linear: 13, int8: true, scales: true, dequantized: true, others_equal: true, complete: true });
  });

  it('quantize-eval reports every precision; its rows are lab eval\'s', async () => {
    const data = join(dir, 'valid.jsonl');
    writeFileSync(data, readFileSync('public/demo/valid.jsonl', 'utf8').split('\n').slice(0, 32).join('\n'));
    const shape = ['--code-length', '32', '--nl-length', '16'];
    const table = JSON.parse((await labOk('quantize-eval', '--model', DEMO, '--data', data, ...shape, '--json', '--software-gpu')).stdout) as { n: number; rows: { weights: string; activations: string; mrr: number; model_bytes: number }[] };
    expect(table.rows.map((r) => `${r.weights}/${r.activations}`)).toEqual(['f32/f32', 'fp16/f32', 'int8/f32', 'int8/int8', 'int8-channel/f32', 'int8-channel/int8']);
    for (const [weights, activations] of [['f32', 'f32'], ['int8', 'int8']] as const) {
      const single = JSON.parse((await labOk('eval', '--model', DEMO, '--weights', weights, '--activations', activations, '--data', data, ...shape, '--software-gpu')).stdout) as { mrr: number; model_bytes: number };
      expect(table.rows.find((r) => r.weights === weights && r.activations === activations)).toMatchObject({ mrr: single.mrr, model_bytes: single.model_bytes });
    }
    const bad = await lab('quantize', '--model', DEMO, '--weights', 'int4', '--out', join(dir, 'x'));
    expect(bad.stderr).toMatch(/--weights must be one of int8, int8-channel/);
  });
});
