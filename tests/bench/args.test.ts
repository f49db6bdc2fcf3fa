/** Flag parsing for `npm run bench` and the FP32 peak table's matching. */
import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../../src/bench/args';
import { benchMethods, BenchInputError, FULL_SCALE, selectMethods } from '../../src/bench/methods';
import { fp32Peak } from '../../src/bench/peaks';

describe('bench flags', () => {
  it('parses the benchmark mode with defaults and lists', () => {
    expect(parseBenchArgs([])).toEqual({ mode: 'bench', quick: false, softwareGpu: false, methods: null, sections: ['kernels', 'steps', 'eval'], steps: undefined, warmup: undefined, tuning: null, json: null });
    expect(parseBenchArgs(['--quick', '--software-gpu', '--methods', 'lora, full', '--only', 'steps', '--steps', '3', '--warmup', '0', '--json', 'out.json'])).toEqual({
      mode: 'bench',
      quick: true,
      softwareGpu: true,
      methods: ['lora', 'full'],
      sections: ['steps'],
      steps: 3,
      warmup: 0,
      tuning: null,
      json: 'out.json',
    });
    expect(parseBenchArgs(['--tuning', 't.json'])).toMatchObject({ mode: 'bench', tuning: 't.json' });
    expect(parseBenchArgs(['--tune', '--quick', '--methods', 'lora', '--json', 't.json'])).toEqual({ mode: 'tune', quick: true, softwareGpu: false, methods: ['lora'], json: 't.json' });
  });

  it('parses --plan and --compare', () => {
    expect(parseBenchArgs(['--plan', '--batch', '8', '--eval-batch', '16'])).toEqual({ mode: 'plan', quick: false, methods: null, batchSize: 8, evalBatchSize: 16, json: null });
    expect(parseBenchArgs(['--compare', 'a.json', 'b.json', '--json', 'c.json'])).toEqual({ mode: 'compare', webgpu: 'a.json', torch: 'b.json', json: 'c.json' });
    expect(parseBenchArgs(['--help'])).toEqual({ mode: 'help' });
  });

  it.each([
    [['--frobnicate'], /Unknown option '--frobnicate'.*--help/],
    [['--compare', 'a.json'], /--compare needs two files/],
    [['stray'], /unexpected argument "stray"/],
    [['--only', 'kernels,bogus'], /--only: unknown section "bogus"/],
    [['--steps', '0'], /--steps must be a whole number from 1/],
    [['--batch', '4'], /--batch and --eval-batch apply to --plan only/],
    [['--methods', ' , '], /--methods needs a comma-separated list/],
    [['--tune', '--only', 'steps'], /--tune takes --quick, --software-gpu, --methods and --json only/],
  ])('rejects %j with one clear message', (argv, message) => {
    expect(() => parseBenchArgs(argv)).toThrow(BenchInputError);
    expect(() => parseBenchArgs(argv)).toThrow(message);
  });

  it('selects methods by name, in the order given, and names the choices on a typo', () => {
    const all = benchMethods(FULL_SCALE);
    expect(selectMethods(all, ['lwo', 'full']).map((m) => m.name)).toEqual(['lwo', 'full']);
    expect(() => selectMethods(all, ['lora', 'loar'])).toThrow(/unknown method loar: choose from full, lora, /);
  });
});

describe('FP32 peaks', () => {
  const adapter = (description: string, vendor = 'nvidia') => ({ vendor, architecture: '', device: '', description });
  it.each([
    ['NVIDIA H100 80GB HBM3', 67],
    ['NVIDIA H100 PCIe', 51],
    ['NVIDIA H200', 67],
    ['NVIDIA GeForce RTX 4090', 82.6],
    ['NVIDIA GeForce RTX 3060 Laptop GPU', 12.7],
  ])('%s: %d TFLOPS', (description, tflops) => {
    expect(fp32Peak(adapter(description))?.tflops).toBe(tflops);
  });

  it('tells Apple M2 Pro from M2, and reports unknown devices and CPU rasterizers as null', () => {
    expect(fp32Peak(adapter('Apple M2 Pro', 'apple'))?.tflops).toBe(6.8);
    expect(fp32Peak(adapter('Apple M2', 'apple'))?.tflops).toBe(3.6);
    expect(fp32Peak(adapter('AMD Radeon RX 7900 XTX', 'amd'))).toBeNull();
    expect(fp32Peak({ vendor: 'google', architecture: 'swiftshader', device: 'swiftshader-device-subzero-', description: 'SwiftShader driver 5.0.0' })).toBeNull();
  });
});
