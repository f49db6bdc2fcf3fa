/** Full fine-tuning: every base weight trains, embeddings and pooler included. Adds nothing. */
import type { PeftModule } from '../module';

export interface FullConfig {
  readonly type: 'full';
}

export const full: PeftModule<FullConfig> = {
  type: 'full',
  label: 'Full fine-tuning',
  help: 'Trains every weight of the model: the baseline the PEFT methods are compared with.',
  fields: [],
  addsModules: false,
  decidesBaseLayers: true,
  trainsPooler: true,
  mergeable: true,
  shortName: () => 'Full FT',
  addedParams: () => [],
  trainsBase: () => true,
  paperCount: () => 0,
  attach: {},
};
