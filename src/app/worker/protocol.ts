/** Messages between the page and the engine Worker. Plain data only: they cross postMessage (Files included). */
import type { PrecisionRow } from '../../engine/quant/precision_table';
import type { BenchResult } from '../../bench/suite';
import type { ShardProgress, ShardReport, ShardStatistics } from '../../engine/data';
import type { AdapterSummary, GpuFeatures } from '../../engine/gpu/device';
import type { HubErrorKind, HubLoadProgress } from '../../engine/hub';
import type { LayerStudy } from '../../engine/eval/layer_analysis';
import type { LayerPooling } from '../../engine/eval/layer_representations';
import type { RetrievalMetrics } from '../../engine/eval/retrieval';
import type { MatmulTuning } from '../../engine/kernels/matmul_tiles';
import type { EncoderConfig } from '../../engine/model/config';
import type { PeftConfig } from '../../engine/peft/types';
import type { StepMemoryPlan } from '../../engine/plan/memory';
import type { SelfCheckResult } from '../../engine/selfcheck/selfcheck';
import type { ClassificationEval, TrainerEvent } from '../../engine/train/events';
import type { RecipeSettings, RunConfig } from '../../engine/train/run_config';
import type { RunFailure } from '../lib/run_types';

/**
 * Bundled files served next to the page: public/demo/ holds the pre-trained demo model and the real-code shard
 * (standard-library functions), public/sample/ the synthetic shard and the probing set.
 */
export const DEMO_MODEL_NAME = 'demo';
export const DEMO_BASE = 'demo/';
export const SAMPLE_BASE = 'sample/';

/** `baseUrl`: where public/demo/model/ is served (the page knows its own base; a Worker's URL differs). */
export type ModelSource =
  | { readonly kind: 'demo'; readonly baseUrl: string }
  | { readonly kind: 'files'; readonly files: readonly File[] }
  /** The model folder the Worker kept in OPFS when it was dropped (a reload restores it). */
  | { readonly kind: 'stored' };

export interface ModelInfo {
  readonly name: string;
  readonly config: EncoderConfig;
  readonly demo: boolean;
  /** The files the model was read from, for the panel. */
  readonly files: readonly string[];
  /** Tensors in the checkpoint the encoder does not use (heads, buffers). */
  readonly ignored: number;
  /** A pruned model's share of pruned prunable weights (its pruning_masks.safetensors); absent when unpruned. */
  readonly sparsity?: number;
}

/** Trained adapter files loaded on top of the model: the next runs start from them, Evaluate uses them. */
export interface AdapterInfo {
  /** The weights file it came from, as chosen. */
  readonly name: string;
  readonly format: 'peft' | 'lab';
  readonly peft: PeftConfig;
  readonly tensors: number;
}

/** `stored`: the copy the Worker kept in OPFS when the shard was dropped (a reload restores it). */
export type ShardInput =
  | { readonly kind: 'file'; readonly file: File }
  | { readonly kind: 'url'; readonly url: string; readonly name: string }
  | { readonly kind: 'stored'; readonly name: string };

export interface LayerStudyRequest {
  /** A labelled file: the code in `textField`, the class in `labelField`. */
  readonly input: ShardInput;
  readonly textField: string;
  readonly labelField: string;
  readonly pooling: LayerPooling;
  /** Tokens per example, <s> and </s> included. */
  readonly length: number;
  readonly maxExamples: number;
  /** A run that ended in this page (its weights are in the Worker), compared with the model; null: the model alone. */
  readonly runId: string | null;
}

/** A layer study with what it was asked. */
export interface PageLayerStudy extends LayerStudy {
  /** The labelled file's name. */
  readonly data: string;
  readonly label: string;
  readonly pooling: LayerPooling;
  readonly runId: string | null;
  /** Records skipped for a missing or bad text or label. */
  readonly skipped: number;
}

/** What the lab keeps in this browser (OPFS) and the origin's usage and quota as the browser estimates them. */
export interface StorageReport {
  /** False where the browser gives no OPFS: nothing is kept across reloads. */
  readonly available: boolean;
  readonly modelBytes: number;
  readonly shardBytes: number;
  readonly checkpoints: readonly { readonly runId: string; readonly bytes: number }[];
  readonly usage: number | null;
  readonly quota: number | null;
}

/** Which shard trains, and where the validation pairs come from. */
export interface DataPlan {
  readonly train: string;
  readonly valid:
    | { readonly kind: 'shard'; readonly id: string }
    | { readonly kind: 'split'; readonly fraction: number; readonly seed: number }
    | { readonly kind: 'none' };
  /** Evaluate on at most this many validation pairs (ranking cost grows with n²). */
  readonly validLimit: number | null;
}

export interface MemoryUse {
  readonly live: number;
  readonly peak: number;
}

export type RunAction = 'pause' | 'resume' | 'stop';

/** The memory planner's answer without its per-kind breakdown, which the page does not show. */
/** The planner's memory of a step (categories without the per-kind breakdown) and the step's FLOPs (the time estimate). */
export type MemoryPlan = Omit<StepMemoryPlan, 'breakdown'> & { readonly flopsPerStep: number };

/** What the memory planner needs: the model's shape (not its weights), the method, the recipe, the validation pairs. */
/** One code the playground found: its index in the validation pool, its score, its text (cut) and its own query. */
export interface PlaygroundHit {
  readonly index: number;
  readonly score: number;
  readonly code: string;
  readonly query: string;
}

/** The playground's answer: per model (a run id, or null for the loaded model) the top codes and the gold code's rank. */
export interface PlaygroundAnswer {
  readonly query: string;
  readonly pool: number;
  /** The pool pair whose query is the one typed (its code is the "gold" answer), when there is one. */
  readonly gold: number | null;
  readonly sides: readonly { readonly source: string | null; readonly hits: readonly PlaygroundHit[]; readonly goldRank: number | null }[];
}

/** The attention view's answer: the input's tokens and, per model, each head's (tokens × (prefix + tokens)) weights. */
export interface AttentionAnswer {
  readonly layer: number;
  readonly tokens: readonly string[];
  readonly maps: readonly { readonly source: string | null; readonly prefix: number; readonly heads: readonly Float32Array[] }[];
}

/** One validation pair in the per-example analysis: its texts (cut), sizes and its gold rank under each model. */
export interface ExampleRanks {
  readonly index: number;
  readonly query: string;
  readonly code: string;
  readonly codeTokens: number;
  readonly queryTokens: number;
  readonly lines: number;
  /** The gold code's rank (1 = found first) under each source, in the request's order. */
  readonly ranks: readonly number[];
}

export interface ExampleRanksAnswer {
  readonly pool: number;
  readonly sources: readonly (string | null)[];
  readonly examples: readonly ExampleRanks[];
}

/** A classification evaluation's numbers, as its training events carry them (docs/TASKS.md). */
export type ClassScores = Omit<ClassificationEval, 'type' | 'task' | 'step' | 'best'>;

/** An evaluation without training: code search's ranking, or a classification task's scores with its classes. */
export type EvaluationResult =
  | { readonly task: 'code-search'; readonly metrics: RetrievalMetrics }
  | { readonly task: 'classification'; readonly scores: ClassScores; readonly classes: readonly string[] };

export interface MemoryPlanRequest {
  readonly model: EncoderConfig;
  readonly peft: PeftConfig;
  readonly recipe: RecipeSettings;
  /** Validation pairs the first evaluation ranks (0: no evaluation). */
  readonly evalExamples: number;
  /** A classification run's classes (before its data is read: the task's class list, or 2); null for code search. */
  readonly classes?: number | null;
}

/** What a kernel tuning found, beside its table: the page shows it and keeps it with the table. */
export interface MatmulTuneSummary {
  /** Distinct matmul shapes of the configuration's step and evaluation, all timed. */
  readonly shapes: number;
  /** Shapes whose best tile beats the default by more than the margin (the table's entries). */
  readonly faster: number;
  /** The largest default-over-chosen time ratio (1 when no shape changed). */
  readonly maxSpeedup: number;
  /** ISO date of the measurement. */
  readonly date: string;
}

/** One model in the Worker's Hub cache, for the cached-models list. */
export interface HubCacheEntry {
  readonly endpoint: string;
  readonly modelId: string;
  readonly revision: string;
  /** Bytes held (whole files and pieces of interrupted ones). */
  readonly bytes: number;
  /** Every file is held whole: it loads without the network. */
  readonly complete: boolean;
}

export interface HubCacheListing {
  /** False where the browser gives no Cache Storage: downloads work, nothing is kept. */
  readonly available: boolean;
  readonly models: readonly HubCacheEntry[];
  readonly bytes: number;
  readonly quota: number | undefined;
}

export type WorkerRequest =
  | { readonly type: 'probe' }
  | { readonly type: 'selfcheck' }
  | { readonly type: 'load-model'; readonly source: ModelSource }
  /** Download (or read from the cache) a model from the Hub at `endpoint`, then load it like a dropped folder. */
  | { readonly type: 'hub-load'; readonly modelId: string; readonly endpoint: string }
  | { readonly type: 'hub-cancel' }
  | { readonly type: 'hub-cache-list' }
  | { readonly type: 'hub-cache-delete'; readonly modelId: string }
  | { readonly type: 'add-shard'; readonly id: string; readonly input: ShardInput }
  | { readonly type: 'remove-shard'; readonly id: string }
  | { readonly type: 'shard-stats'; readonly id: string; readonly codeLength: number; readonly nlLength: number }
  | { readonly type: 'load-adapter'; readonly files: readonly File[] }
  | { readonly type: 'remove-adapter' }
  /**
   * `fromAdapter`: start from the loaded adapter's tensors (the Worker checks it is still the one named).
   * `matmulTuning`: the page's tuning table for this GPU (ignored when measured on another adapter).
   */
  | {
      readonly type: 'start';
      readonly runId: string;
      readonly config: RunConfig;
      readonly data: DataPlan;
      readonly fromAdapter: string | null;
      readonly matmulTuning: MatmulTuning | null;
      /** Continue from the run's checkpoint in OPFS (refused, with the differences named, if the run is not the same). */
      readonly resume: boolean;
      /** Save the run's state every N steps (0: only at evaluations and on stop). */
      readonly checkpointEvery: number;
      /** Bytes the run may use at its peak (pre-flight refuses a run that needs more); null: no budget. */
      readonly memoryBudget: number | null;
    }
  /** The model (+ adapter) on the plan's validation pairs, without training. */
  | { readonly type: 'benchmark'; readonly quick: boolean; readonly methods: readonly string[] | null; readonly matmulTuning: MatmulTuning | null }
  | { readonly type: 'precision-table'; readonly source: string | null; readonly config: RunConfig; readonly data: DataPlan; readonly fromAdapter: string | null }
  | { readonly type: 'evaluate'; readonly config: RunConfig; readonly data: DataPlan; readonly fromAdapter: string | null; readonly matmulTuning: MatmulTuning | null }
  | { readonly type: 'control'; readonly runId: string; readonly action: RunAction }
  /** The attention view: one code's attention weights at a layer under one or two models. */
  | { readonly type: 'attention'; readonly code: string; readonly layer: number; readonly sources: readonly (string | null)[]; readonly config: RunConfig; readonly fromAdapter: string | null }
  /** Per-example analysis: every validation query's gold rank under each model. */
  | { readonly type: 'example-ranks'; readonly sources: readonly (string | null)[]; readonly config: RunConfig; readonly data: DataPlan; readonly fromAdapter: string | null }
  /** The code-search playground: the top k codes of the validation pool for a query, by one or two models. */
  | { readonly type: 'search'; readonly query: string; readonly k: number; readonly sources: readonly (string | null)[]; readonly config: RunConfig; readonly data: DataPlan; readonly fromAdapter: string | null }
  | { readonly type: 'export'; readonly runId: string; readonly which: 'best' | 'final'; readonly format: ExportFormat }
  /** Plan a step's GPU memory (src/engine/plan/memory.ts); `id` lets the page drop answers to older requests. */
  | ({ readonly type: 'plan-memory'; readonly id: number } & MemoryPlanRequest)
  /** Time every matmul tile on the configuration's matmul shapes on a GPU device of the Worker's own. */
  | ({ readonly type: 'tune-matmul' } & Omit<MemoryPlanRequest, 'evalExamples'>)
  | { readonly type: 'tune-cancel' }
  | { readonly type: 'storage-report' }
  /** Telly's layer analysis: probes of every layer of the model (and of a run of this session), and their drift. */
  | ({ readonly type: 'analyze-layers' } & LayerStudyRequest)
  /** Free what the lab keeps: every checkpoint, one run's, or the stored model and shards. */
  | { readonly type: 'storage-free'; readonly what: 'checkpoints' | 'workspace' | { readonly runId: string } };

/** weights: the run's own formats (peft / the lab's adapter / a model folder); the others are whole model folders. */
export type ExportFormat = 'weights' | 'merged' | 'sentence-transformers';

export interface ExportedFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export type WorkerResponse =
  | { readonly type: 'adapter'; readonly adapter: AdapterSummary; readonly features: GpuFeatures }
  | { readonly type: 'unavailable'; readonly message: string }
  | { readonly type: 'selfcheck'; readonly results: readonly SelfCheckResult[] }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'model'; readonly model: ModelInfo }
  | { readonly type: 'model-error'; readonly message: string }
  | { readonly type: 'adapter-loaded'; readonly adapter: AdapterInfo }
  | { readonly type: 'adapter-error'; readonly message: string }
  | { readonly type: 'evaluated'; readonly result: EvaluationResult }
  | { readonly type: 'search-results'; readonly answer: PlaygroundAnswer }
  | { readonly type: 'search-error'; readonly message: string }
  | { readonly type: 'example-ranks'; readonly answer: ExampleRanksAnswer }
  | { readonly type: 'example-ranks-error'; readonly message: string }
  | { readonly type: 'attention'; readonly answer: AttentionAnswer }
  | { readonly type: 'attention-error'; readonly message: string }
  | { readonly type: 'evaluate-error'; readonly message: string }
  | { readonly type: 'precision-table'; readonly source: string | null; readonly rows: readonly PrecisionRow[]; readonly n: number }
  | { readonly type: 'precision-table-error'; readonly message: string }
  | { readonly type: 'benchmark-progress'; readonly line: string }
  | { readonly type: 'benchmark-done'; readonly report: BenchResult }
  | { readonly type: 'benchmark-error'; readonly message: string }
  /** At most every 200 ms, plus the first and the last event of a load. */
  | { readonly type: 'hub-progress'; readonly progress: HubLoadProgress }
  /** The files are here; the model loader runs next (then 'model' or 'model-error'). */
  | { readonly type: 'hub-downloaded'; readonly modelId: string; readonly fromCache: boolean; readonly bytes: number; readonly warnings: readonly string[] }
  | { readonly type: 'hub-error'; readonly kind: HubErrorKind | 'other'; readonly message: string }
  | { readonly type: 'hub-cache'; readonly listing: HubCacheListing }
  | { readonly type: 'shard-progress'; readonly id: string; readonly progress: ShardProgress }
  | { readonly type: 'shard'; readonly id: string; readonly report: ShardReport }
  | { readonly type: 'shard-error'; readonly id: string; readonly message: string }
  | { readonly type: 'shard-stats'; readonly id: string; readonly stats: ShardStatistics }
  | { readonly type: 'run-prepared'; readonly runId: string; readonly train: number; readonly valid: number; readonly classes?: readonly string[] }
  /** The loop reached its pause gate: no GPU work runs until it is resumed. */
  | { readonly type: 'run-paused'; readonly runId: string }
  | { readonly type: 'run-events'; readonly runId: string; readonly events: readonly TrainerEvent[]; readonly memory: MemoryUse }
  | { readonly type: 'run-ended'; readonly runId: string; readonly failure: RunFailure | null; readonly memory: MemoryUse }
  /** The run's state at `step` is in OPFS: "Resume" continues from there. */
  /** `problem`: the checkpoint could not be written (the previous one stays; `step` is then null). */
  | { readonly type: 'run-checkpoint'; readonly runId: string; readonly step: number | null; readonly problem: string | null }
  | { readonly type: 'storage'; readonly report: StorageReport }
  | { readonly type: 'layer-study'; readonly study: PageLayerStudy }
  | { readonly type: 'layer-study-error'; readonly message: string }
  | { readonly type: 'export-files'; readonly runId: string; readonly files: readonly ExportedFile[]; readonly folder: string | null }
  | { readonly type: 'export-error'; readonly runId: string; readonly message: string }
  | { readonly type: 'memory-plan'; readonly id: number; readonly plan: MemoryPlan }
  | { readonly type: 'memory-plan-error'; readonly id: number; readonly message: string }
  /** Sent before shape `done + 1` of `total` is timed. */
  | { readonly type: 'tune-progress'; readonly done: number; readonly total: number; readonly shape: string }
  | { readonly type: 'tune-done'; readonly tuning: MatmulTuning; readonly summary: MatmulTuneSummary }
  /** Cancelled, or stopped because a run started: nothing measured is kept. */
  | { readonly type: 'tune-cancelled' }
  | { readonly type: 'tune-error'; readonly message: string };

export type TuneAnswer = Extract<WorkerResponse, { type: 'tune-progress' | 'tune-done' | 'tune-cancelled' | 'tune-error' }>;

export type MemoryPlanAnswer = Extract<WorkerResponse, { type: 'memory-plan' | 'memory-plan-error' }>;
