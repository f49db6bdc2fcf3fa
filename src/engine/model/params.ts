/**
 * The base model's parameters as named specs, with Hugging Face's names so checkpoints load by name and
 * exports carry over. Shapes follow PyTorch: linear weights are (out, in).
 */
import type { EncoderConfig } from './config';

/** Where a parameter lives: the embeddings, encoder layer l, the pooler, the prefix encoder or a classification head. */
export type ParamLocation =
  | { readonly kind: 'embeddings' }
  | { readonly kind: 'layer'; readonly layer: number }
  | { readonly kind: 'pooler' }
  | { readonly kind: 'prefix' }
  | { readonly kind: 'classifier' };

export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly location: ParamLocation;
  /** Which method added it (its type: `lora`, `adapter`, ...), or `base` for the pretrained model's own weights. */
  readonly module: string;
}

/** The six linear layers of an encoder layer, by peft's module names. */
export const LINEAR_SITES = ['query', 'key', 'value', 'attention.output.dense', 'intermediate.dense', 'output.dense'] as const;
export type LinearSite = (typeof LINEAR_SITES)[number];

export function linearPath(layer: number, site: LinearSite): string {
  const local = site === 'query' || site === 'key' || site === 'value' ? `attention.self.${site}` : site;
  return `encoder.layer.${layer}.${local}`;
}

/** (out, in) of each linear site. */
export function linearShape(config: EncoderConfig, site: LinearSite): readonly [number, number] {
  const { hidden: C, intermediate: I } = config;
  if (site === 'intermediate.dense') return [I, C];
  if (site === 'output.dense') return [C, I];
  return [C, C];
}

export function baseParams(config: EncoderConfig): ParamSpec[] {
  const { hidden: C } = config;
  const specs: ParamSpec[] = [];
  const emb = { kind: 'embeddings' } as const;
  const add = (name: string, shape: readonly number[], location: ParamLocation): void => {
    specs.push({ name, shape, location, module: 'base' });
  };
  add('embeddings.word_embeddings.weight', [config.vocabSize, C], emb);
  add('embeddings.position_embeddings.weight', [config.maxPositions, C], emb);
  add('embeddings.token_type_embeddings.weight', [config.typeVocabSize, C], emb);
  add('embeddings.LayerNorm.weight', [C], emb);
  add('embeddings.LayerNorm.bias', [C], emb);
  for (let l = 0; l < config.layers; l++) {
    const at = { kind: 'layer', layer: l } as const;
    for (const site of LINEAR_SITES) {
      const [out, inp] = linearShape(config, site);
      add(`${linearPath(l, site)}.weight`, [out, inp], at);
      add(`${linearPath(l, site)}.bias`, [out], at);
    }
    for (const ln of ['attention.output.LayerNorm', 'output.LayerNorm']) {
      add(`encoder.layer.${l}.${ln}.weight`, [C], at);
      add(`encoder.layer.${l}.${ln}.bias`, [C], at);
    }
  }
  add('pooler.dense.weight', [C, C], { kind: 'pooler' });
  add('pooler.dense.bias', [C], { kind: 'pooler' });
  return specs;
}

/**
 * transformers' RobertaClassificationHead for `classes` classes, by its names: dense (C, C) + tanh, then
 * out_proj (classes, C), over the <s> state. Module `classifier`: it always trains (peft's modules_to_save).
 */
export function classifierParams(config: EncoderConfig, classes: number): ParamSpec[] {
  const C = config.hidden;
  const at = { kind: 'classifier' } as const;
  return [
    { name: 'classifier.dense.weight', shape: [C, C], location: at, module: 'classifier' },
    { name: 'classifier.dense.bias', shape: [C], location: at, module: 'classifier' },
    { name: 'classifier.out_proj.weight', shape: [classes, C], location: at, module: 'classifier' },
    { name: 'classifier.out_proj.bias', shape: [classes], location: at, module: 'classifier' },
  ];
}

export function specNumel(spec: ParamSpec): number {
  return spec.shape.reduce((a, b) => a * b, 1);
}

export function countParams(specs: readonly ParamSpec[]): number {
  return specs.reduce((sum, s) => sum + specNumel(s), 0);
}

/** CodeXGLUE's optimizer groups: no weight decay on biases and LayerNorm weights. */
export function decays(name: string): boolean {
  return !(name.endsWith('bias') || name.endsWith('LayerNorm.weight'));
}

export function isBias(name: string): boolean {
  return name.endsWith('.bias');
}

export function isLayerNorm(name: string): boolean {
  return name.includes('LayerNorm.');
}
