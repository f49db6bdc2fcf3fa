/**
 * Prefix-tuning: P trainable key and value rows per layer, prepended to every sequence's keys and values
 * (never masked). With `projection`, the rows come from peft's PrefixEncoder MLP
 * (embedding (P, C) → Linear(C, hidden) → tanh → Linear(hidden, 2·L·C)), which is trained instead.
 */
import { specNumel, type ParamSpec } from '../../model/params';
import type { PeftModule } from '../module';

export interface PrefixConfig {
  readonly type: 'prefix';
  readonly length: number;
  readonly projection: { readonly hidden: number } | null;
  readonly layers: readonly number[] | null;
}

export const prefix: PeftModule<PrefixConfig> = {
  type: 'prefix',
  label: 'Prefix-tuning',
  help: 'Prepends trainable key/value vectors to every attention layer; the base weights stay frozen.',
  fields: [
    { kind: 'int', key: 'length', label: 'Prefix length', min: 1, max: 4096, default: 10, help: 'P key rows and P value rows per layer', sweep: { label: 'Prefix length' } },
    { kind: 'optional-int', key: 'projection', inner: 'hidden', label: 'Reparameterize through an MLP', innerLabel: 'MLP hidden size', min: 1, max: 65536, whenOn: 512, help: "peft's prefix_projection: the rows come from an MLP with this hidden size" },
    { kind: 'layers', key: 'layers', label: 'Layers', hidden: true, help: 'only these encoder layers (not with the MLP projection)' },
  ],
  check(config, f) {
    if (config.projection && config.layers) f.problem('layers', 'cannot be combined with the MLP projection (it produces every layer)');
    return config;
  },
  addsModules: true,
  mergeable: false,
  shortName: (c) => `Prefix-${c.length}${c.projection ? '+MLP' : ''}`,
  addedParams(config, model, layers) {
    const C = model.hidden;
    const P = config.length;
    const location = { kind: 'prefix' } as const;
    if (config.projection) {
      const h = config.projection.hidden;
      const out = 2 * model.layers * C;
      return [
        { name: 'prefix.embedding.weight', shape: [P, C], location, module: 'prefix' },
        { name: 'prefix.mlp.0.weight', shape: [h, C], location, module: 'prefix' },
        { name: 'prefix.mlp.0.bias', shape: [h], location, module: 'prefix' },
        { name: 'prefix.mlp.2.weight', shape: [out, h], location, module: 'prefix' },
        { name: 'prefix.mlp.2.bias', shape: [out], location, module: 'prefix' },
      ];
    }
    const specs: ParamSpec[] = [];
    for (const layer of layers) {
      specs.push({ name: `prefix.layer.${layer}.key`, shape: [P, C], location, module: 'prefix' });
      specs.push({ name: `prefix.layer.${layer}.value`, shape: [P, C], location, module: 'prefix' });
    }
    return specs;
  },
  // The MLP's linears as torch's default (U(±1/√fan_in)); the rows and the embedding as nn.Embedding (N(0, 1)).
  initial: (spec, fanIn, rng) => (spec.name.startsWith('prefix.mlp.') ? rng.uniform(specNumel(spec), 1 / Math.sqrt(fanIn)) : rng.normal(specNumel(spec), 1)),
  trainsBase: () => false,
  paperCount: (config, model, layers) => layers.length * 2 * config.length * model.hidden,
  attach: {
    prefix: (c) => ({ length: c.length, mlpHidden: c.projection?.hidden ?? null }),
  },
};
