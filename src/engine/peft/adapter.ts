/**
 * Bottleneck adapters: y ↦ y + up(act(down(y))) on a sublayer's output, before its residual + LayerNorm
 * (Houlsby placement). `houlsby` adapts both sublayers, `attn` the attention block, `ffn` the FFN (Pfeiffer).
 */
import type { ParamSpec } from '../model/params';
import type { EncoderConfig } from '../model/config';
import type { PeftModule } from './module';
import type { AdapterConfig, AdapterPlacement } from './types';

export type AdapterSite = 'attention' | 'ffn';

/** The parameter prefix of the adapter at a site: it sits in the HF module whose output it adapts. */
export function adapterPath(layer: number, site: AdapterSite): string {
  return site === 'attention' ? `encoder.layer.${layer}.attention.output.adapter` : `encoder.layer.${layer}.output.adapter`;
}

export function adapterSites(placement: AdapterPlacement): AdapterSite[] {
  if (placement === 'houlsby') return ['attention', 'ffn'];
  return placement === 'attn' ? ['attention'] : ['ffn'];
}

export const adapter: PeftModule<AdapterConfig> = {
  type: 'adapter',
  label: 'Adapter',
  help: 'Adds small bottleneck layers after the attention and/or FFN sublayers; the base weights stay frozen.',
  addsModules: true,
  parse(f, model: EncoderConfig) {
    f.rejectUnknown(['type', 'placement', 'size', 'activation', 'layers']);
    return {
      type: 'adapter',
      placement: f.oneOf('placement', ['houlsby', 'attn', 'ffn'], 'houlsby'),
      size: f.int('size', 1, 65536, 64),
      activation: f.oneOf('activation', ['relu', 'gelu', 'swish'], 'relu'),
      layers: f.layers('layers', model.layers),
    };
  },
  addedParams(config, model, layers) {
    const specs: ParamSpec[] = [];
    const C = model.hidden;
    for (const layer of layers) {
      const location = { kind: 'layer', layer } as const;
      for (const site of adapterSites(config.placement)) {
        const p = adapterPath(layer, site);
        specs.push({ name: `${p}.down.weight`, shape: [config.size, C], location, module: 'adapter' });
        specs.push({ name: `${p}.down.bias`, shape: [config.size], location, module: 'adapter' });
        specs.push({ name: `${p}.up.weight`, shape: [C, config.size], location, module: 'adapter' });
        specs.push({ name: `${p}.up.bias`, shape: [C], location, module: 'adapter' });
      }
    }
    return specs;
  },
  trainsBase: () => false,
  paperCount: (config, model, layers) => layers.length * adapterSites(config.placement).length * 2 * config.size * model.hidden,
};
