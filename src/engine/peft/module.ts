/**
 * What every PEFT method provides (peft's config / layer / model split, as plain data and functions). A method
 * lives in its own folder (`lora/`, `adapter/`, ...) and is listed once in registry.ts; the parser, the
 * dashboard, share links, sweeps, docs, the planner and the encoder's attachment points all ask this
 * interface, never `type === ...`.
 */
import type { EncoderConfig } from '../model/config';
import type { ParamSpec } from '../model/params';
import type { FieldReader } from './fields';
import type { FieldSpec } from './schema';

export type AdapterActivation = 'relu' | 'gelu' | 'swish';

/** Where a bottleneck adapter sits: after the attention block or after the FFN (before residual + LayerNorm). */
export type AdapterSite = 'attention' | 'ffn';

/** How a method attaches to the encoder; every hook is optional and absent means "not at this point". */
export interface Attachments<C> {
  /** A low-rank branch on the linear at `path` (LoRA): its rank and scale, or null. */
  lowRank?(config: C, path: string): { readonly rank: number; readonly scale: number } | null;
  /** Dropout on the low-rank branch's input. */
  branchDropout?(config: C): number;
  /** A learned per-channel scale on the linear at `path` ((IA)³): of its input or of its output, or null. */
  channelScale?(config: C, path: string): 'input' | 'output' | null;
  /** Bottleneck adapters: the sites they adapt, their size and activation. */
  residualAdapters?(config: C): { readonly sites: readonly AdapterSite[]; readonly size: number; readonly activation: AdapterActivation };
  /** Key/value prefix rows per layer, and the hidden size of the MLP that produces them (null: plain rows). */
  prefix?(config: C): { readonly length: number; readonly mlpHidden: number | null };
  /** A layer schedule: the layers trainable at `step`, and the steps where the set changes (one cycle). */
  schedule?: {
    activeLayers(config: C, model: EncoderConfig, step: number, seed: number): number[];
    changes(config: C, model: EncoderConfig): number[];
  };
}

/** The seeded source of starting values (peft/init.ts), the same in every environment. */
export interface InitRandom {
  uniform(n: number, bound: number): Float32Array;
  normal(n: number, std: number): Float32Array;
}

export interface PeftModule<C extends { readonly type: string }> {
  readonly type: C['type'];
  /** Short name for tables and charts. */
  readonly label: string;
  /** One sentence for the configuration panel. */
  readonly help: string;
  /** The configuration's fields (everything but `type`), written once. */
  readonly fields: readonly FieldSpec[];
  /** Keys read by `check` rather than by the schema (LoRA's rank_pattern / alpha_pattern). */
  readonly extraKeys?: readonly string[];
  /** Cross-field checks and extra keys, after the schema's fields are read. */
  check?(config: C, fields: FieldReader, model: EncoderConfig): C;
  /** Whether the method adds modules (and so accepts a layer restriction). */
  readonly addsModules: boolean;
  /** Methods it cannot be combined with (both would claim the same linears). */
  readonly exclusiveWith?: readonly string[];
  /** Whether the method decides which base layers train (at most one such method per run). */
  readonly decidesBaseLayers?: boolean;
  /** Whether the method trains the pooler without `trainPooler` (full fine-tuning, Telly). */
  readonly trainsPooler?: boolean;
  /** Whether its trained weights fold into a plain RobertaModel's (a merged export is possible). */
  readonly mergeable: boolean;
  /** The thesis-style short name of a configuration ("LoRA-64", "Adapter-FFN-384"). */
  shortName(config: C): string;
  /** What the fields resolve to, worth showing beside them (LoRA's scale and sites), or null. */
  hint?(config: C, model: EncoderConfig): string | null;
  /** Parameters the method adds to the model (none for methods that only unfreeze base weights). */
  addedParams(config: C, model: EncoderConfig, layers: readonly number[]): ParamSpec[];
  /** The starting value of one of its added parameters (`fanIn`: its linear's input size), as its library does. */
  initial?(spec: ParamSpec, fanIn: number, rng: InitRandom): Float32Array;
  /** Whether the method trains this base parameter (over the whole run; a schedule narrows it per phase). */
  trainsBase(config: C, spec: ParamSpec): boolean;
  /** The thesis' count (Table 4.2 convention: no adapter biases), over the given layers. */
  paperCount(config: C, model: EncoderConfig, layers: readonly number[]): number;
  readonly attach: Attachments<C>;
}

export function allLayers(model: EncoderConfig): number[] {
  return Array.from({ length: model.layers }, (_, l) => l);
}
