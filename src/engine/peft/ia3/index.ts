/**
 * (IA)³ (Liu et al. 2022, "Few-Shot Parameter-Efficient Fine-Tuning is Better and Cheaper than In-Context
 * Learning"), with peft's semantics: a learned vector rescales a targeted linear's output (keys and values:
 * y = (W x + b) ⊙ l) or, for the feed-forward modules, its input (y = W (x ⊙ l) + b). The vectors start at 1, so
 * training starts from the base model; everything else stays frozen. It is the smallest method the lab has
 * (2·C + I per layer with peft's RoBERTa targets, ~0.05% of CodeBERT) and, being a rescaling, folds into the
 * weights for a merged export.
 */
import type { EncoderConfig } from '../../model/config';
import { LINEAR_SITES, linearShape, specNumel, type ParamSpec } from '../../model/params';
import { matchesTarget, siteNames, sitesMatching, targetsProblem } from '../lora/targets';
import type { PeftModule } from '../module';

export interface Ia3Config {
  readonly type: 'ia3';
  /** Linear modules that get a vector (peft's target_modules). */
  readonly targets: readonly string[];
  /** Targets whose input is scaled instead of their output (peft's feedforward_modules, a subset of targets). */
  readonly feedforward: readonly string[];
  readonly layers: readonly number[] | null;
}

/** peft's defaults for RoBERTa (TRANSFORMERS_MODELS_TO_IA3_*_MODULES_MAPPING["roberta"]). */
export const IA3_DEFAULTS = { targets: ['key', 'value', 'output.dense'], feedforward: ['output.dense'] } as const;

/** Whether the vector at `path` scales the input (feed-forward module) or the output. */
function sideAt(config: Ia3Config, path: string): 'input' | 'output' {
  return matchesTarget(config.feedforward, path) ? 'input' : 'output';
}

/** One vector per targeted linear, in peft's shapes: (1, in) for a scaled input, (out, 1) for a scaled output. */
function vectors(config: Ia3Config, model: EncoderConfig, layers: readonly number[]): ParamSpec[] {
  return sitesMatching(config.targets, model, layers).map((s) => {
    const [out, inp] = linearShape(model, s.site);
    const shape = sideAt(config, s.path) === 'input' ? [1, inp] : [out, 1];
    return { name: `${s.path}.ia3_l`, shape, location: { kind: 'layer', layer: s.layer }, module: 'ia3' };
  });
}

export const ia3: PeftModule<Ia3Config> = {
  type: 'ia3',
  label: '(IA)³',
  help: 'Learns one scaling vector per targeted linear (keys, values and the FFN by default); the base weights stay frozen.',
  fields: [
    { kind: 'names', key: 'targets', label: 'Scaled linear layers', options: LINEAR_SITES, default: IA3_DEFAULTS.targets, help: "peft's target_modules, matched as LoRA's targets (`output.dense` also matches `attention.output.dense`)" },
    { kind: 'names', key: 'feedforward', label: 'Scale the input of', options: LINEAR_SITES, default: IA3_DEFAULTS.feedforward, help: "peft's feedforward_modules: targets whose input is scaled (the others' output)" },
    { kind: 'layers', key: 'layers', label: 'Layers', hidden: true, help: 'only these encoder layers' },
  ],
  check(config, f, model) {
    const problem = targetsProblem(config.targets, model);
    if (problem) f.problem('targets', problem);
    const sites = sitesMatching(config.targets, model, Array.from({ length: model.layers }, (_, l) => l));
    const stray = sitesMatching(config.feedforward, model, Array.from({ length: model.layers }, (_, l) => l)).filter((s) => !sites.some((t) => t.path === s.path));
    if (stray.length > 0) f.problem('feedforward', `must be among the targets (as in peft); ${stray[0]!.path} is not targeted`);
    return config;
  },
  // peft's name matching makes "output.dense" select attention.output.dense too: say what is really scaled.
  hint: (c, model) => {
    const inputs = siteNames(c.targets, model, (p) => sideAt(c, p) === 'input');
    const outputs = siteNames(c.targets, model, (p) => sideAt(c, p) === 'output');
    return `scales the output of ${outputs.join(', ') || 'nothing'} and the input of ${inputs.join(', ') || 'nothing'} in each layer`;
  },
  addsModules: true,
  exclusiveWith: ['lora'],
  mergeable: true,
  shortName: (c) => (c.targets.join() === IA3_DEFAULTS.targets.join() ? '(IA)³' : `(IA)³-${c.targets.length}`),
  addedParams: vectors,
  // peft's init_ia3_weights: ones, so the model starts as the base model.
  initial: (spec) => new Float32Array(specNumel(spec)).fill(1),
  trainsBase: () => false,
  paperCount: (config, model, layers) => vectors(config, model, layers).reduce((sum, s) => sum + specNumel(s), 0),
  attach: {
    channelScale: (config, path) => (config.targets.length > 0 && matchesTarget(config.targets, path) ? sideAt(config, path) : null),
  },
};
