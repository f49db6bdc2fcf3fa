/** LayerNorm-only: the LayerNorm weights and biases of the encoder layers train. */
import { isLayerNorm } from '../../model/params';
import { inLayers } from '../base_sets';
import type { PeftModule } from '../module';

export interface LayerNormConfig {
  readonly type: 'layernorm';
}

export const layernorm: PeftModule<LayerNormConfig> = {
  type: 'layernorm',
  label: 'LayerNorm-only',
  help: 'Trains only the LayerNorm weights and biases of the encoder layers.',
  fields: [],
  addsModules: false,
  mergeable: true,
  shortName: () => 'LayerNorm',
  addedParams: () => [],
  trainsBase: (_c, spec) => inLayers(spec) && isLayerNorm(spec.name),
  paperCount: () => 0,
  attach: {},
};
