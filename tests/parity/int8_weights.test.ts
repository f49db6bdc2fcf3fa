/**
 * int8 weights (src/engine/quant/int8.ts) against torch: the packed weights of
 * `torch.ao.quantization.quantize_dynamic(model, {nn.Linear}, dtype=torch.qint8)` — per tensor (its default
 * qconfig) and per output channel (per_channel_dynamic_qconfig) — must have the lab's int8 values and scales
 * exactly, on awkward weights: an all-zero row (the eps scale), a row whose extreme is negative, values that
 * land on .5 steps, a single column.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dequantizeInt8, quantizeInt8, type Int8Granularity } from '../../src/engine/quant/int8';
import { python } from '../helpers/pyref';
import { Rng } from '../helpers/random';

const TORCH = `
import json, sys, torch
from torch.ao.quantization import quantize_dynamic, per_channel_dynamic_qconfig, default_dynamic_qconfig
spec = json.load(open(sys.argv[1]))
out = []
for (rows, cols), w in zip(spec["shapes"], spec["weights"]):
    res = {}
    for name, qconfig in (("per-tensor", default_dynamic_qconfig), ("per-channel", per_channel_dynamic_qconfig)):
        m = torch.nn.Sequential(torch.nn.Linear(cols, rows))
        with torch.no_grad():
            m[0].weight.copy_(torch.tensor(w, dtype=torch.float32).view(rows, cols))
        q = quantize_dynamic(m, {torch.nn.Linear: qconfig}, dtype=torch.qint8)[0].weight()
        scales = [q.q_scale()] if name == "per-tensor" else q.q_per_channel_scales().tolist()
        zeros = [q.q_zero_point()] if name == "per-tensor" else q.q_per_channel_zero_points().tolist()
        res[name] = {"q": q.int_repr().view(-1).tolist(), "scales": scales, "zeros": zeros, "deq": q.dequantize().view(-1).tolist()}
    out.append(res)
print(json.dumps(out))
`;

function weights(): { shapes: [number, number][]; values: Float32Array[] } {
  const rng = new Rng(5);
  const normal = (n: number, s: number): Float32Array => Float32Array.from({ length: n }, () => s * rng.normal());
  const awkward = normal(4 * 6, 0.05);
  awkward.fill(0, 0, 6); // row 0: all zeros
  awkward[6] = -0.3; // row 1: the extreme is negative
  // Row 2: amax 127.5 · 2⁻⁷ gives the exact scale 2⁻⁷, so k · 2⁻⁸ lands on k/2 steps: 0.5, 1.5, −2.5, 3.5 round to even.
  [127.5 / 128, 1 / 256, 3 / 256, -5 / 256, 7 / 256, -127.5 / 128].forEach((v, i) => (awkward[12 + i] = v));
  return { shapes: [[5, 7], [4, 6], [9, 1]], values: [normal(35, 0.02), awkward, normal(9, 1)] };
}

describe('int8 weights equal torch quantize_dynamic', () => {
  const { shapes, values } = weights();
  const dir = mkdtempSync(join(tmpdir(), 'lab-int8-'));
  writeFileSync(join(dir, 'spec.json'), JSON.stringify({ shapes, weights: values.map((v) => [...v]) }));
  type Ref = Record<Int8Granularity, { q: number[]; scales: number[]; zeros: number[]; deq: number[] }>;
  let ref: Ref[] | null = null;
  const torchRef = (): Ref[] => (ref ??= JSON.parse(python('-c', [TORCH, join(dir, 'spec.json')]).trim()) as Ref[]);

  it.each(['per-tensor', 'per-channel'] as const)('%s: int8 values, scales (zero points 0) and dequantized weights', (granularity) => {
    shapes.forEach(([rows, cols], t) => {
      const want = torchRef()[t]![granularity];
      const got = quantizeInt8(values[t]!, rows, cols, granularity);
      expect([...got.scales], `tensor ${t} scales`).toEqual(want.scales.map(Math.fround));
      expect(want.zeros.every((z) => z === 0)).toBe(true);
      expect([...got.q], `tensor ${t} values`).toEqual(want.q);
      expect([...dequantizeInt8(got)], `tensor ${t} dequantized`).toEqual(want.deq.map(Math.fround));
    });
  });

  it('refuses a weight whose size does not match its shape', () => {
    expect(() => quantizeInt8(new Float32Array(5), 2, 3, 'per-tensor')).toThrow(/2×3 weight needs 6 values, got 5/);
  });
});
