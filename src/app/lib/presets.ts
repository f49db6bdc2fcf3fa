/**
 * The configurations of the research the lab reproduces (papers/peft-codebert-code-search-thesis.md §3.2, §4.2,
 * App. 7.2 and Table 7.2), as plain PEFT JSON (docs/PEFT_CONFIG.md) and recipe settings.
 *
 * Choices the thesis leaves open, stated here and in docs/UI.md:
 *  - LoRA: the thesis writes h += α·h·W_down·W_up with α = 4 (Eq. 2.3, Table 4.4), i.e. α is the scale itself.
 *    peft scales by alpha / r, so the presets use alpha = 4·r (scale 4).
 *  - Adapters: the activation is not stated; the presets use GELU (OpenDelta's default family).
 *  - Prefix: direct prefix vectors (no MLP), which is what the thesis' count 2·l·d per layer describes.
 */
import { DEFAULT_RECIPE, type RecipeSettings } from '../../engine/train/run_config';

export interface MethodPreset {
  readonly id: string;
  readonly label: string;
  readonly group: string;
  /** PEFT JSON as docs/PEFT_CONFIG.md describes it. */
  readonly peft: { readonly methods: readonly Record<string, unknown>[]; readonly layers?: readonly number[] | null };
  /** The thesis' test MRR (%) on CodeBERT, for orientation. */
  readonly thesisTestMrr?: number;
}

const lora = (r: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'lora',
  r,
  alpha: 4 * r,
  dropout: 0,
  targets: ['query', 'value'],
  ...extra,
});
const adapter = (placement: string, size: number): Record<string, unknown> => ({ type: 'adapter', placement, size, activation: 'gelu' });

function family(group: string, name: string, sizes: readonly number[], make: (n: number) => Record<string, unknown>, mrr: readonly number[]): MethodPreset[] {
  return sizes.map((n, i) => ({ id: `${name}-${n}`, label: `${name}-${n}`, group, peft: { methods: [make(n)] }, thesisTestMrr: mrr[i] }));
}

export const METHOD_PRESETS: readonly MethodPreset[] = [
  { id: 'full', label: 'Full fine-tuning', group: 'Baseline', peft: { methods: [{ type: 'full' }] }, thesisTestMrr: 31.66 },
  ...family('LoRA (α = 4, query + value)', 'LoRA', [32, 64, 128, 256], (r) => lora(r), [26.32, 27.61, 28.71, 28.92]),
  ...family('Adapters', 'Adapter-H', [64, 128, 256, 512], (r) => adapter('houlsby', r), [22.71, 23.52, 25.46, 27.45]),
  ...family('Adapters', 'Adapter-ATTN', [64, 128, 256, 512], (r) => adapter('attn', r), [19.74, 21.36, 22.63, 23.64]),
  ...family('Adapters', 'Adapter-FFN', [64, 128, 256, 512], (r) => adapter('ffn', r), [22.51, 23.91, 25.96, 26.35]),
  ...family('Prefix-tuning', 'Prefix', [10, 50, 100, 256], (l) => ({ type: 'prefix', length: l, projection: null }), [23.1, 23.56, 23.49, 22.17]),
  { id: 'loFF', label: 'loFF (LoRA 64 + Adapter-FFN 384)', group: 'LoRA + Adapter-FFN (loff)', peft: { methods: [lora(64), adapter('ffn', 384)] }, thesisTestMrr: 32.59 },
  { id: 'LOFF', label: 'LOFF (LoRA 128 + Adapter-FFN 256)', group: 'LoRA + Adapter-FFN (loff)', peft: { methods: [lora(128), adapter('ffn', 256)] }, thesisTestMrr: 31.39 },
  { id: 'LOff', label: 'LOff (LoRA 192 + Adapter-FFN 128)', group: 'LoRA + Adapter-FFN (loff)', peft: { methods: [lora(192), adapter('ffn', 128)] }, thesisTestMrr: 32.15 },
  {
    id: 'loFF_9-12',
    label: 'loFF_9-12 (loFF in layers 9–12)',
    group: 'LoRA + Adapter-FFN (loff)',
    peft: { methods: [lora(64), adapter('ffn', 384)], layers: [8, 9, 10, 11] },
    thesisTestMrr: 29.75,
  },
  { id: 'telly-4', label: 'Telly-4 (freeze embeddings + layers 1–4)', group: 'Layer freezing', peft: { methods: [{ type: 'telly', k: 4 }] } },
  { id: 'telly-8', label: 'Telly-8 (freeze embeddings + layers 1–8)', group: 'Layer freezing', peft: { methods: [{ type: 'telly', k: 8 }] } },
  { id: 'lwo', label: 'LWO (one layer at a time, top-down)', group: 'Layer freezing', peft: { methods: [{ type: 'lwo', group: 1, schedule: 'top-down', phaseSteps: 100 }] } },
  { id: 'bitfit', label: 'BitFit (biases only)', group: 'Other', peft: { methods: [{ type: 'bitfit' }] } },
  { id: 'layernorm', label: 'LayerNorm-only', group: 'Other', peft: { methods: [{ type: 'layernorm' }] } },
];

export interface RecipePreset {
  readonly id: string;
  readonly label: string;
  readonly help: string;
  readonly recipe: RecipeSettings;
}

/** Table 7.2: 2 epochs = 31,478 steps at batch 16, warmup 3,147, evaluation every 3,100 steps. */
const THESIS: RecipeSettings = {
  ...DEFAULT_RECIPE,
  lr: 1e-5,
  batchSize: 16,
  steps: 31_478,
  epochs: 2,
  warmupSteps: 3_147,
  maxGradNorm: 1,
  seed: 123_456,
  codeLength: 256,
  nlLength: 256,
  evalEvery: 3_100,
  evalBatchSize: 16,
};

/**
 * The demo's recipe (public/demo/quick_run.json is the same run): seconds on a laptop GPU for the demo model, and
 * minutes on a software adapter. Chosen with the reference PyTorch on the demo model: batch 16 and lr 2e-3 move
 * validation MRR furthest in 120 steps; short sequences keep it cheap (the signature and first statements).
 */
const QUICK: RecipeSettings = {
  ...DEFAULT_RECIPE,
  lr: 2e-3,
  batchSize: 16,
  steps: 120,
  epochs: 1,
  warmupSteps: 10,
  seed: 123_456,
  codeLength: 32,
  nlLength: 16,
  evalEvery: 40,
  evalBatchSize: 32,
};

export const RECIPE_PRESETS: readonly RecipePreset[] = [
  { id: 'quick', label: 'Quick try (demo model)', help: '120 steps of 16 with short sequences: seconds on a GPU, minutes on a software one.', recipe: QUICK },
  { id: 'thesis', label: 'Thesis recipe (Table 7.2)', help: 'CodeXGLUE as the thesis ran it: lr 1e-5, batch 16, 31,478 steps, warmup 3,147, eval every 3,100, length 256.', recipe: THESIS },
  { id: 'codexglue', label: 'Engine default (1 epoch)', help: "The engine's default: Table 7.2 with code 256 / query 128 tokens, one epoch.", recipe: DEFAULT_RECIPE },
];

/** The thesis' three seeds (Table 7.2), the default for seed sweeps. */
export const THESIS_SEEDS: readonly number[] = [123_456, 654_321, 123];

export interface TaskPreset {
  readonly id: string;
  readonly label: string;
  /** The task as the run configuration holds it (src/engine/train/task.ts). */
  readonly task: Readonly<Record<string, unknown>>;
  readonly help: string;
}

/**
 * The tasks of the adapter/LoRA study (papers/adapter-lora-prefix-slides.md): JIT defect prediction on
 * JIT-Defects4J, judged by F1 and AUC-ROC of the defective class, and the three probing tasks (600/200/200
 * examples each), judged by accuracy; plus the bundled probing sample. The slides name no field names or
 * hyperparameters: the fields are the common ones (edit them to your file's), the method and recipe are left
 * as they are. JIT-DP is imbalanced (about 15% defective), hence balanced class weights.
 */
export const TASK_PRESETS: readonly TaskPreset[] = [
  { id: 'code-search', label: 'Code search (CodeXGLUE AdvTest)', task: { kind: 'code-search' }, help: 'The thesis task: MRR over the validation set.' },
  {
    id: 'jit-dp',
    label: 'JIT-DP (JIT-Defects4J)',
    task: { kind: 'classification', text: 'code', pair: 'msg', label: 'label', classes: ['0', '1'], classWeights: 'balanced', bestMetric: 'f1' },
    help: 'Code change + commit message as a pair; defective = class 1; best by F1 (AUC-ROC reported).',
  },
  { id: 'probe-typ', label: 'Probing: invalid type detection (TYP)', task: { kind: 'classification', text: 'code', pair: null, label: 'label', classes: null, classWeights: 'none', bestMetric: 'accuracy' }, help: 'One snippet → valid or not; accuracy.' },
  { id: 'probe-ccm', label: 'Probing: code change match (CCM)', task: { kind: 'classification', text: 'code1', pair: 'code2', label: 'label', classes: null, classWeights: 'none', bestMetric: 'accuracy' }, help: 'Two inputs as a pair → match or not; accuracy.' },
  { id: 'probe-ltp', label: 'Probing: line type prediction (LTP)', task: { kind: 'classification', text: 'code', pair: null, label: 'label', classes: null, classWeights: 'none', bestMetric: 'accuracy' }, help: 'One line → its type; accuracy.' },
  {
    id: 'probe-sample',
    label: 'Bundled sample: does a function return a value?',
    task: { kind: 'classification', text: 'code', pair: null, label: 'syntactic_returns', classes: null, classWeights: 'none', bestMetric: 'accuracy' },
    help: 'public/sample/probe.jsonl: 600 standard-library functions (PSF licence).',
  },
];
