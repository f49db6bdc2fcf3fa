/** Encoder configuration (RoBERTa architecture) and the presets of the CodeBERT family. */

export interface EncoderConfig {
  readonly vocabSize: number;
  readonly hidden: number; // C
  readonly layers: number; // L
  readonly heads: number; // H, C = H * D
  readonly intermediate: number; // I (FFN width)
  readonly maxPositions: number;
  readonly typeVocabSize: number;
  readonly layerNormEps: number;
  readonly padTokenId: number;
  readonly bosTokenId: number;
  readonly eosTokenId: number;
}

export const PRESETS = {
  'microsoft/codebert-base': base(50265, 514, 1),
  'microsoft/graphcodebert-base': base(50265, 514, 1),
  'microsoft/unixcoder-base': base(51416, 1026, 10),
  'huggingface/CodeBERTa-small-v1': { ...base(52000, 514, 1), layers: 6 },
  /** The size of the golden tests (tools/pyref/make_golden.py): runs in seconds on a software adapter. */
  tiny: {
    vocabSize: 50,
    hidden: 32,
    layers: 2,
    heads: 4,
    intermediate: 48,
    maxPositions: 24,
    typeVocabSize: 1,
    layerNormEps: 1e-5,
    padTokenId: 1,
    bosTokenId: 0,
    eosTokenId: 2,
  },
} as const satisfies Record<string, EncoderConfig>;

export type PresetName = keyof typeof PRESETS;

function base(vocabSize: number, maxPositions: number, typeVocabSize: number): EncoderConfig {
  return {
    vocabSize,
    hidden: 768,
    layers: 12,
    heads: 12,
    intermediate: 3072,
    maxPositions,
    typeVocabSize,
    layerNormEps: 1e-5,
    padTokenId: 1,
    bosTokenId: 0,
    eosTokenId: 2,
  };
}

export function headDim(config: EncoderConfig): number {
  return config.hidden / config.heads;
}

/**
 * The largest sizes a config may claim: far beyond any RoBERTa-family encoder (roberta-large is 24 × 1024,
 * 16 heads, FFN 4096), and small enough that planning one (parameter lists, counts) costs nothing — a
 * 470-byte config.json claiming a million layers is refused here, not after gigabytes of planning.
 */
export const CONFIG_BOUNDS = {
  vocab_size: 4_194_304,
  hidden_size: 16_384,
  num_hidden_layers: 1024,
  num_attention_heads: 1024,
  intermediate_size: 65_536,
  max_position_embeddings: 131_072,
  type_vocab_size: 1024,
} as const;

/** A config.json the lab cannot use: the message lists every problem. */
export class ModelConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelConfigError';
  }
}

/** Reads a Hugging Face `config.json` object; throws one readable error listing every problem. */
export function configFromHf(json: unknown): EncoderConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ModelConfigError('config.json: expected a JSON object');
  const o = json as Record<string, unknown>;
  const problems: string[] = [];
  const own = (key: string): unknown => (Object.hasOwn(o, key) ? o[key] : undefined);
  const int = (key: string, min: number, max: number, fallback?: number): number => {
    const v = own(key) ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      problems.push(`${key} must be an integer in [${min}, ${max}] (got ${JSON.stringify(v)})`);
      return min;
    }
    return v;
  };
  const size = (key: keyof typeof CONFIG_BOUNDS, fallback?: number): number => int(key, 1, CONFIG_BOUNDS[key], fallback);
  const vocabSize = size('vocab_size');
  const eps = own('layer_norm_eps');
  const config: EncoderConfig = {
    vocabSize,
    hidden: size('hidden_size'),
    layers: size('num_hidden_layers'),
    heads: size('num_attention_heads'),
    intermediate: size('intermediate_size'),
    maxPositions: size('max_position_embeddings'),
    typeVocabSize: size('type_vocab_size', 1),
    // RobertaConfig's default when the key is absent (codebert-base's config says 1e-5 explicitly).
    layerNormEps: typeof eps === 'number' ? eps : 1e-12,
    padTokenId: int('pad_token_id', 0, vocabSize - 1, 1),
    bosTokenId: int('bos_token_id', 0, vocabSize - 1, 0),
    eosTokenId: int('eos_token_id', 0, vocabSize - 1, 2),
  };
  if (eps !== undefined && !(typeof eps === 'number' && eps > 0 && eps < 1)) problems.push(`layer_norm_eps must be a number in (0, 1) (got ${JSON.stringify(eps)}): LayerNorm divides by √(var + eps)`);
  const act = own('hidden_act') ?? 'gelu';
  if (act !== 'gelu') problems.push(`hidden_act ${JSON.stringify(act)} is not supported (the lab implements RoBERTa's erf GELU)`);
  if (config.hidden % config.heads !== 0) problems.push('hidden_size must be a multiple of num_attention_heads');
  if (config.maxPositions <= config.padTokenId + 2) problems.push(`max_position_embeddings (${config.maxPositions}) leaves no positions after pad_token_id (${config.padTokenId}): RoBERTa numbers positions from pad_token_id + 1`);
  if (problems.length > 0) throw new ModelConfigError(`config.json is not a RoBERTa-style encoder config:\n  ${problems.join('\n  ')}`);
  return config;
}

export function configToHf(config: EncoderConfig): Record<string, unknown> {
  return {
    architectures: ['RobertaModel'],
    model_type: 'roberta',
    vocab_size: config.vocabSize,
    hidden_size: config.hidden,
    num_hidden_layers: config.layers,
    num_attention_heads: config.heads,
    intermediate_size: config.intermediate,
    hidden_act: 'gelu',
    max_position_embeddings: config.maxPositions,
    type_vocab_size: config.typeVocabSize,
    layer_norm_eps: config.layerNormEps,
    pad_token_id: config.padTokenId,
    bos_token_id: config.bosTokenId,
    eos_token_id: config.eosTokenId,
  };
}
