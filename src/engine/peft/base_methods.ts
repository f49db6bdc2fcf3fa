/**
 * Methods that add nothing and unfreeze base weights: full fine-tuning, BitFit, LayerNorm-only and Telly-K
 * layer freezing. Their "paper" count is their exact count of trainable base weights.
 */
import { isBias, isLayerNorm, type ParamSpec } from '../model/params';
import type { PeftModule } from './module';
import type { BitfitConfig, FullConfig, LayerNormConfig, TellyConfig } from './types';

// Only full fine-tuning trains the embeddings (their LayerNorm included) and only full/Telly the pooler.
const inLayers = (spec: ParamSpec): boolean => spec.location.kind === 'layer';

export const full: PeftModule<FullConfig> = {
  type: 'full',
  label: 'Full fine-tuning',
  help: 'Trains every weight of the model: the baseline the PEFT methods are compared with.',
  addsModules: false,
  parse: (f) => (f.rejectUnknown(['type']), { type: 'full' }),
  addedParams: () => [],
  trainsBase: () => true,
  paperCount: () => 0,
};

export const bitfit: PeftModule<BitfitConfig> = {
  type: 'bitfit',
  label: 'BitFit',
  help: 'Trains only the bias terms of the encoder layers (attention, FFN and LayerNorm biases).',
  addsModules: false,
  parse: (f) => (f.rejectUnknown(['type']), { type: 'bitfit' }),
  addedParams: () => [],
  trainsBase: (_c, spec) => inLayers(spec) && isBias(spec.name),
  paperCount: () => 0,
};

export const layernorm: PeftModule<LayerNormConfig> = {
  type: 'layernorm',
  label: 'LayerNorm-only',
  help: 'Trains only the LayerNorm weights and biases of the encoder layers.',
  addsModules: false,
  parse: (f) => (f.rejectUnknown(['type']), { type: 'layernorm' }),
  addedParams: () => [],
  trainsBase: (_c, spec) => inLayers(spec) && isLayerNorm(spec.name),
  paperCount: () => 0,
};

export const telly: PeftModule<TellyConfig> = {
  type: 'telly',
  label: 'Telly-K',
  help: 'Freezes the embeddings and the lowest K layers and fully trains the rest (Telly layer freezing).',
  addsModules: false,
  parse: (f, model) => (f.rejectUnknown(['type', 'k']), { type: 'telly', k: f.int('k', 0, model.layers) }),
  addedParams: () => [],
  trainsBase: (c, spec) => spec.location.kind === 'pooler' || (spec.location.kind === 'layer' && spec.location.layer >= c.k),
  paperCount: () => 0,
};
