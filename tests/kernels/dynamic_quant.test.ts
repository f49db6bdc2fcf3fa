/**
 * dynamic_quant: the activation quantization of quantize_dynamic's Linear. The CPU twin's parameters equal
 * torch's own choice for a dynamic linear's input (torch._choose_qparams_per_tensor with reduce_range) and its
 * values torch.quantize_per_tensor's; the GPU equals the twin exactly on awkward shapes (a prime, one past a
 * workgroup, the 2-D grid of both passes) and on the edge cases: all zeros, one sign only, a range so small
 * that ATen widens the scale, values exactly half a level apart.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dynamicQuant, dynamicQuantPartials } from '../../src/engine/kernels/dynamic_quant';
import * as ref from '../../src/reference/dynamic_quant';
import { expectClose } from '../helpers/compare';
import { testRuntime } from '../helpers/gpu';
import { python } from '../helpers/pyref';
import { randn, Rng } from '../helpers/random';

const TORCH = `
import json, sys, torch
cases = json.load(open(sys.argv[1]))
out = []
for xs in cases:
    x = torch.tensor(xs, dtype=torch.float32)
    scale, zp = torch._choose_qparams_per_tensor(x, True)
    q = torch.quantize_per_tensor(x, scale, zp, torch.quint8)
    out.append({"scale": scale, "zp": zp, "deq": q.dequantize().tolist()})
print(json.dumps(out))
`;

function cases(): Float32Array[] {
  const rng = new Rng(3);
  return [
    Float32Array.from(randn(rng, 50), (v) => 3 * v + 0.5),
    Float32Array.from(randn(rng, 40), (v) => Math.abs(v)), // positive only: the range starts at 0
    Float32Array.from(randn(rng, 40), (v) => -Math.abs(v) * 7),
    new Float32Array(9), // all zeros: scale 0.1
    Float32Array.from(randn(rng, 30), (v) => v * 1e-4), // widened to ATen's smallest scale
    Float32Array.of(-1, 0, 0.5, 1.25, 2.5, 127),
  ];
}

describe('dynamic_quant (quantize_dynamic activations)', () => {
  it("the twin chooses torch's parameters and values (reduce_range quint8)", () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lab-dq-')), 'cases.json');
    const xs = cases();
    writeFileSync(file, JSON.stringify(xs.map((x) => [...x])));
    const torch = JSON.parse(python('-c', [TORCH, file]).trim().split('\n').pop()!) as { scale: number; zp: number; deq: number[] }[];
    xs.forEach((x, i) => {
      const out = new Float32Array(x.length);
      const p = ref.dynamicQuant(out, x, x.length);
      expect(p.scale, `case ${i} scale`).toBe(Math.fround(torch[i]!.scale));
      expect(p.zeroPoint, `case ${i} zero point`).toBe(torch[i]!.zp);
      expectClose(out, Float32Array.from(torch[i]!.deq), { atol: 0, rtol: 0 }, `case ${i} values`);
    });
  });

  it.each([
    ['a prime', 13, 8],
    ['one past a workgroup', 257, 8],
    ['many partials', 256 * 8 * 300 + 7, 8],
    ['the 2-D grid of both passes', 256 * 65535 + 9, 1],
  ])('GPU equals the twin: %s (n=%i)', async (_what, n, items) => {
    const rt = await testRuntime();
    const rng = new Rng(n);
    const x = Float32Array.from(randn(rng, n), (v) => 2 * v - 0.3);
    const xt = rt.tensorFrom(x, [n], 'x');
    const out = rt.tensor([n], 'out');
    const stats = rt.tensor([4], 'stats');
    const partials = rt.tensor([dynamicQuantPartials(n, items) + 6], 'partials'); // larger than needed serves
    const [got, s] = await rt.run(dynamicQuant(rt, out, stats, partials, xt, items), [out, stats]);
    const want = new Float32Array(n);
    const p = ref.dynamicQuant(want, x, n);
    expect([...s!]).toEqual([p.scale, p.zeroPoint, p.min, p.max]);
    expectClose(got!, want, { atol: 0, rtol: 0 }, 'dequantized');
    expect(rt.isLost).toBe(false);
  });

  it.each(cases().map((x, i) => [i, x] as const))('GPU equals the twin on edge case %i', async (_i, x) => {
    const rt = await testRuntime();
    const n = x.length;
    const out = rt.tensor([n], 'out');
    const stats = rt.tensor([4], 'stats');
    const [got, s] = await rt.run(dynamicQuant(rt, out, stats, rt.tensor([dynamicQuantPartials(n)], 'partials'), rt.tensorFrom(x, [n], 'x')), [out, stats]);
    const want = new Float32Array(n);
    const p = ref.dynamicQuant(want, x, n);
    expect([s![0], s![1]]).toEqual([p.scale, p.zeroPoint]);
    expectClose(got!, want, { atol: 0, rtol: 0 }, 'dequantized');
  });

  it('refuses scratch too small for the input', async () => {
    const rt = await testRuntime();
    expect(() => dynamicQuant(rt, rt.tensor([5000], 'out'), rt.tensor([4], 'stats'), rt.tensor([2], 'partials'), rt.tensor([5000], 'x'))).toThrow(/partials/);
  });
});
