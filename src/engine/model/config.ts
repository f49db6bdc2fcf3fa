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

/** Reads a Hugging Face `config.json` object; throws one readable error listing every problem. */
export function configFromHf(json: unknown): EncoderConfig {
  if (typeof json !== 'object' || json === null) throw new Error('config.json: expected a JSON object');
  const o = json as Record<string, unknown>;
  const problems: string[] = [];
  const int = (key: string, fallback?: number): number => {
    const v = o[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      problems.push(`${key} must be a non-negative integer (got ${JSON.stringify(v)})`);
      return 0;
    }
    return v;
  };
  const config: EncoderConfig = {
    vocabSize: int('vocab_size'),
    hidden: int('hidden_size'),
    layers: int('num_hidden_layers'),
    heads: int('num_attention_heads'),
    intermediate: int('intermediate_size'),
    maxPositions: int('max_position_embeddings'),
    typeVocabSize: int('type_vocab_size', 1),
    // RobertaConfig's default when the key is absent (codebert-base's config says 1e-5 explicitly).
    layerNormEps: typeof o.layer_norm_eps === 'number' ? o.layer_norm_eps : 1e-12,
    padTokenId: int('pad_token_id', 1),
    bosTokenId: int('bos_token_id', 0),
    eosTokenId: int('eos_token_id', 2),
  };
  const act = o.hidden_act ?? 'gelu';
  if (act !== 'gelu') problems.push(`hidden_act "${String(act)}" is not supported (the lab implements RoBERTa's erf GELU)`);
  if (config.heads > 0 && config.hidden % config.heads !== 0) problems.push('hidden_size must be a multiple of num_attention_heads');
  if (problems.length > 0) throw new Error(`config.json is not a RoBERTa-style encoder config:\n  ${problems.join('\n  ')}`);
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
