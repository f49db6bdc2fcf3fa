/**
 * The WebGPU/PyTorch join. The fixtures are real outputs of `npm run bench -- --quick --software-gpu --json`
 * and `tools/bench_pytorch.py --device cpu --from <that file> --precision fp32,bf16 --json` (regenerate both
 * together when the kernel ids or methods change): every kernel id and method must find its partner.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareReports, formatComparison, parseReports, type TorchReport } from '../../src/bench/compare';
import { kernelCases, kernelDims } from '../../src/bench/kernels';
import { benchMethods, BenchInputError, QUICK_SCALE } from '../../src/bench/methods';
import type { BenchReport } from '../../src/bench/report';

const load = (name: string): unknown => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
const names = { webgpu: 'webgpu.json', torch: 'torch.json' };
const fixtures = (): { webgpu: BenchReport; torch: TorchReport } => parseReports(load('webgpu_quick.json'), load('torch_quick.json'), names);

describe('comparison with PyTorch', () => {
  it('the fixtures match what the code produces now (ids and methods)', () => {
    const { webgpu } = fixtures();
    const r = QUICK_SCALE.recipe;
    expect(webgpu.kernels.map((k) => k.id)).toEqual(kernelCases(kernelDims(QUICK_SCALE.model, r.batchSize, r.codeLength, QUICK_SCALE.loraRank, r.attentionDropout)).map((c) => c.id));
    expect(webgpu.steps.map((s) => [s.method, s.peft])).toEqual(benchMethods(QUICK_SCALE).map((m) => [m.name, m.peft]));
  });

  it('joins every kernel, method and the evaluation, per precision, as WebGPU / PyTorch', () => {
    const { webgpu, torch } = fixtures();
    const c = compareReports(webgpu, torch);
    expect(c.precisions).toEqual(['fp32', 'bf16']);
    expect(c.kernels.map((k) => k.name)).toEqual(webgpu.kernels.map((k) => k.id));
    expect(c.steps.map((s) => s.name)).toEqual(webgpu.steps.map((s) => s.method));
    for (const row of [...c.kernels, ...c.steps]) {
      for (const p of c.precisions) expect(row.ratio[p]).toBeCloseTo(row.webgpu / row.torch[p]!, 12);
    }
    const lora = torch.runs[0]!.steps.find((s) => s.method === 'lora')!;
    expect(c.steps.find((s) => s.name === 'lora')!.torch.fp32).toBe(lora.ms);
    expect(c.eval!.ratio.fp32).toBeCloseTo(torch.runs[0]!.eval!.sequencesPerSecond / webgpu.eval!.sequencesPerSecond, 12);
    expect(c.memory).toEqual([]); // CPU PyTorch reports no peak memory
    expect(c.warnings).toEqual(['the WebGPU report is a --quick run: its timings are not meaningful']);
    expect(formatComparison(c)).toContain('ratio vs bf16');
  });

  it('flags different recipes and different method configurations', () => {
    const { webgpu, torch } = fixtures();
    const run = torch.runs[0]!;
    const changed: TorchReport = {
      ...torch,
      recipe: { ...torch.recipe, batchSize: 8 },
      runs: [{ ...run, steps: run.steps.map((s) => (s.method === 'lora' ? { ...s, peft: { methods: [{ type: 'lora', r: 2 }] } } : s)) }],
    };
    const c = compareReports(webgpu, changed);
    expect(c.warnings).toContain('recipe batchSize differs: WebGPU 4, PyTorch 8');
    expect(c.warnings.some((w) => w.startsWith('lora: the PEFT configurations differ'))).toBe(true);
  });

  it('rejects files that are not the two reports, naming the file and the command that writes it', () => {
    const { torch } = fixtures();
    expect(() => parseReports(torch, torch, names)).toThrow(BenchInputError);
    expect(() => parseReports(torch, torch, names)).toThrow(/webgpu\.json is not a WebGPU benchmark report .*npm run bench -- --json/);
    expect(() => parseReports(load('webgpu_quick.json'), { schema: 'x' }, names)).toThrow(/torch\.json is not a PyTorch benchmark report .*bench_pytorch\.py/);
  });
});
