/**
 * What the benchmark runs: the model, the recipe and the PEFT methods, at the thesis' scale or (--quick) at
 * the tiny model's scale so SwiftShader gets through it in seconds. The PEFT configurations are the lab's own
 * JSON (docs/PEFT_CONFIG.md); they are written into the report so tools/bench_pytorch.py can run exactly the
 * same ones (--from).
 */
import { PRESETS, type EncoderConfig } from '../engine/model/config';
import { DEFAULT_RECIPE, type RecipeSettings } from '../engine/train/run_config';

export interface BenchScale {
  /** The tiny scale of --quick (sizes shrink to fit the tiny model). */
  readonly quick: boolean;
  readonly modelName: string;
  readonly model: EncoderConfig;
  /** The training recipe: the thesis' batch 16, code 256, NL 128 (dropout 0.1) at full scale. */
  readonly recipe: RecipeSettings;
  /** Pairs the evaluation benchmark embeds and ranks. */
  readonly evalExamples: number;
  readonly warmupSteps: number;
  readonly timedSteps: number;
  /** Kernel timing: warm-up launches and timed repetitions per kernel. */
  readonly kernelWarmup: number;
  readonly kernelReps: number;
  /** LoRA rank of the methods and of the LoRA kernel cases. */
  readonly loraRank: number;
}

export const FULL_SCALE: BenchScale = {
  quick: false,
  modelName: 'microsoft/codebert-base',
  model: PRESETS['microsoft/codebert-base'],
  recipe: DEFAULT_RECIPE,
  evalExamples: 1024,
  warmupSteps: 3,
  timedSteps: 10,
  kernelWarmup: 3,
  kernelReps: 20,
  loraRank: 64,
};

export const QUICK_SCALE: BenchScale = {
  quick: true,
  modelName: 'tiny',
  model: PRESETS.tiny,
  recipe: { ...DEFAULT_RECIPE, batchSize: 4, codeLength: 16, nlLength: 8, evalBatchSize: 4 },
  evalExamples: 8,
  // SwiftShader spends ~0.3–1 s on even a tiny step (per-dispatch overhead): one warm-up, one timed.
  warmupSteps: 1,
  timedSteps: 1,
  kernelWarmup: 1,
  kernelReps: 2,
  loraRank: 4,
};

/** The parts of a benchmark run, selectable with --only. */
export const SECTIONS = ['kernels', 'steps', 'eval'] as const;
export type Section = (typeof SECTIONS)[number];

/** A benchmark method: a name and the lab's PEFT JSON for it. */
export interface BenchMethod {
  readonly name: string;
  readonly peft: unknown;
}

/**
 * The thesis' configurations (Tables 4.3–4.6): LoRA r=64 on query/value, Adapter-H and Adapter-FFN, prefix
 * length 50, loFF (LoRA 64 + FFN adapter 384), plus full fine-tuning, BitFit, Telly-6 and LWO (groups of 3
 * layers, top-down, switching every step). The quick scale shrinks every size to fit the tiny model (hidden
 * 32, 2 layers, 24 positions). LoRA dropout is peft's default, 0.
 */
export function benchMethods(scale: BenchScale): BenchMethod[] {
  const quick = scale.quick;
  const r = scale.loraRank;
  const size = (n: number): number => (quick ? 8 : n);
  const lora = { type: 'lora', r, alpha: 2 * r, dropout: 0, targets: ['query', 'value'] };
  return [
    { name: 'full', peft: { methods: [{ type: 'full' }] } },
    { name: 'lora', peft: { methods: [lora] } },
    { name: 'adapter-h', peft: { methods: [{ type: 'adapter', placement: 'houlsby', size: size(64), activation: 'relu' }] } },
    { name: 'adapter-ffn', peft: { methods: [{ type: 'adapter', placement: 'ffn', size: size(512), activation: 'relu' }] } },
    { name: 'prefix', peft: { methods: [{ type: 'prefix', length: quick ? 2 : 50 }] } },
    { name: 'loff', peft: { methods: [lora, { type: 'adapter', placement: 'ffn', size: size(384), activation: 'relu' }] } },
    { name: 'bitfit', peft: { methods: [{ type: 'bitfit' }] } },
    { name: 'telly', peft: { methods: [{ type: 'telly', k: quick ? 1 : 6 }] } },
    { name: 'lwo', peft: { methods: [{ type: 'lwo', group: quick ? 1 : 3, schedule: 'top-down', phaseSteps: 1 }] } },
  ];
}

/** The methods named in `only` (all when null), in the order given; unknown names are an error for the caller. */
export function selectMethods(all: readonly BenchMethod[], only: readonly string[] | null): BenchMethod[] {
  if (!only) return [...all];
  const unknown = only.filter((n) => !all.some((m) => m.name === n));
  if (unknown.length > 0) {
    throw new BenchInputError(`unknown method${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: choose from ${all.map((m) => m.name).join(', ')}`);
  }
  return only.map((n) => all.find((m) => m.name === n)!);
}

/** A mistake in the benchmark's input (flags, files): shown as one line, never with a stack trace. */
export class BenchInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchInputError';
  }
}
