/** BitFit: only the bias terms of the encoder layers train (attention, FFN and LayerNorm biases). */
import { isBias } from '../../model/params';
import { inLayers } from '../base_sets';
import type { PeftModule } from '../module';

export interface BitfitConfig {
  readonly type: 'bitfit';
}

export const bitfit: PeftModule<BitfitConfig> = {
  type: 'bitfit',
  label: 'BitFit',
  help: 'Trains only the bias terms of the encoder layers (attention, FFN and LayerNorm biases).',
  fields: [],
  addsModules: false,
  mergeable: true,
  shortName: () => 'BitFit',
  addedParams: () => [],
  trainsBase: (_c, spec) => inLayers(spec) && isBias(spec.name),
  paperCount: () => 0,
  attach: {},
};
