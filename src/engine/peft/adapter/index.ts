/**
 * Bottleneck adapters: y ↦ y + up(act(down(y))) on a sublayer's output, before its residual + LayerNorm
 * (Houlsby placement). `houlsby` adapts both sublayers, `attn` the attention block, `ffn` the FFN (Pfeiffer).
 */
import { specNumel, type ParamSpec } from '../../model/params';
import type { AdapterActivation, AdapterSite, PeftModule } from '../module';

export type AdapterPlacement = 'houlsby' | 'attn' | 'ffn';

export interface AdapterConfig {
  readonly type: 'adapter';
  readonly placement: AdapterPlacement;
  readonly size: number;
  readonly activation: AdapterActivation;
  readonly layers: readonly number[] | null;
}

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
  fields: [
    {
      kind: 'choice',
      key: 'placement',
      label: 'Placement',
      options: [
        { value: 'houlsby', label: 'Attention + FFN (H)' },
        { value: 'attn', label: 'Attention (ATTN)' },
        { value: 'ffn', label: 'FFN (Pfeiffer)' },
      ],
      default: 'houlsby',
      help: 'after which sublayer: `houlsby` after attention and after the FFN, `attn`, `ffn` (Pfeiffer)',
    },
    { kind: 'int', key: 'size', label: 'Bottleneck size', min: 1, max: 65536, default: 64, help: 'the bottleneck width', sweep: { label: 'Adapter bottleneck size' } },
    {
      kind: 'choice',
      key: 'activation',
      label: 'Activation',
      options: ['relu', 'gelu', 'swish'].map((a) => ({ value: a, label: a })),
      default: 'relu',
      help: "the bottleneck's non-linearity",
    },
    { kind: 'layers', key: 'layers', label: 'Layers', hidden: true, help: 'only these encoder layers' },
  ],
  addsModules: true,
  mergeable: false,
  shortName: (c) => `Adapter-${c.placement === 'houlsby' ? 'H' : c.placement.toUpperCase()}-${c.size}`,
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
  // AdapterHub's "bert" scheme: weights N(0, 0.02), biases 0, so a fresh adapter is close to the identity.
  initial: (spec, _fanIn, rng) => (spec.name.endsWith('.bias') ? new Float32Array(specNumel(spec)) : rng.normal(specNumel(spec), 0.02)),
  trainsBase: () => false,
  paperCount: (config, model, layers) => layers.length * adapterSites(config.placement).length * 2 * config.size * model.hidden,
  attach: {
    residualAdapters: (c) => ({ sites: adapterSites(c.placement), size: c.size, activation: c.activation }),
  },
};
