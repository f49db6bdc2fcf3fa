/** Telly-K layer freezing: the embeddings and the lowest K layers are frozen, the rest (and the pooler) train. */
import type { PeftModule } from '../module';

export interface TellyConfig {
  readonly type: 'telly';
  readonly k: number;
}

export const telly: PeftModule<TellyConfig> = {
  type: 'telly',
  label: 'Telly-K',
  help: 'Freezes the embeddings and the lowest K layers and fully trains the rest (Telly layer freezing).',
  fields: [
    {
      kind: 'int',
      key: 'k',
      label: 'K (frozen layers, embeddings included)',
      min: 0,
      max: (model) => model.layers,
      default: (model) => Math.floor(model.layers / 2),
      required: true,
      help: 'layers 0..K−1 (and the embeddings) stay frozen',
      sweep: { label: 'Telly K (frozen layers)' },
    },
  ],
  addsModules: false,
  decidesBaseLayers: true,
  trainsPooler: true,
  mergeable: true,
  shortName: (c) => `Telly-${c.k}`,
  addedParams: () => [],
  trainsBase: (c, spec) => spec.location.kind === 'pooler' || (spec.location.kind === 'layer' && spec.location.layer >= c.k),
  paperCount: () => 0,
  attach: {},
};
