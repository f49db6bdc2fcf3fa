/**
 * Prefix-tuning: P trainable key and value rows per layer, prepended to every sequence's keys and values
 * (never masked). With `projection`, the rows come from peft's PrefixEncoder MLP
 * (embedding (P, C) → Linear(C, hidden) → tanh → Linear(hidden, 2·L·C)), which is trained instead.
 */
import type { ParamSpec } from '../model/params';
import type { PeftModule } from './module';
import type { PrefixConfig } from './types';

export const prefix: PeftModule<PrefixConfig> = {
  type: 'prefix',
  label: 'Prefix-tuning',
  help: 'Prepends trainable key/value vectors to every attention layer; the base weights stay frozen.',
  addsModules: true,
  parse(f, model) {
    f.rejectUnknown(['type', 'length', 'projection', 'layers']);
    const raw = f.raw('projection');
    let projection: PrefixConfig['projection'] = null;
    if (raw !== undefined && raw !== null) {
      const hidden = typeof raw === 'object' ? (raw as Record<string, unknown>).hidden : undefined;
      if (typeof hidden === 'number' && Number.isInteger(hidden) && hidden >= 1 && hidden <= 65536) projection = { hidden };
      else f.problem('projection', 'must be null or { "hidden": <integer ≥ 1> }');
    }
    const config: PrefixConfig = { type: 'prefix', length: f.int('length', 1, 4096, 10), projection, layers: f.layers('layers', model.layers) };
    if (projection && config.layers) f.problem('layers', 'cannot be combined with the MLP projection (it produces every layer)');
    return config;
  },
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
  trainsBase: () => false,
  paperCount: (config, model, layers) => layers.length * 2 * config.length * model.hidden,
};
