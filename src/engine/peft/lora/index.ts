/**
 * LoRA (peft semantics): y = W x + b + scale · B(A(dropout(x))), scale = alpha / r (alpha / √r with rsLoRA),
 * A (r, in) kaiming-uniform, B (out, r) zeros. Targets are matched against module paths as peft does.
 */
import { LINEAR_SITES, linearShape, specNumel, type ParamSpec } from '../../model/params';
import type { PeftModule } from '../module';
import { LORA_DEFAULTS, type LoraConfig } from './config';
import { isPatternKey, loraRank, loraScale, siteNames, targetedSites, targetsProblem } from './targets';

export const lora: PeftModule<LoraConfig> = {
  type: 'lora',
  label: 'LoRA',
  help: 'Adds trainable low-rank updates B·A to the chosen linear layers; the base weights stay frozen.',
  fields: [
    { kind: 'int', key: 'r', label: 'Rank r', min: 1, max: 4096, default: LORA_DEFAULTS.r, help: 'the rank of B·A', sweep: { label: 'LoRA rank r (scale α kept)', keepsRatio: 'alpha' } },
    { kind: 'number', key: 'alpha', label: 'Alpha', min: 1e-6, max: 1e6, default: LORA_DEFAULTS.alpha, help: 'the branch is scaled by alpha / r (alpha / √r with rsLoRA)' },
    { kind: 'number', key: 'dropout', label: 'Dropout', min: 0, max: 0.99, default: LORA_DEFAULTS.dropout, help: "dropout on the branch's input (peft's lora_dropout)" },
    { kind: 'names', key: 'targets', label: 'Target linear layers', options: LINEAR_SITES, default: LORA_DEFAULTS.targets, help: 'peft module names (`query`, `key`, `value`, `attention.output.dense`, `intermediate.dense`, `output.dense`, or layer-qualified like `layer.3.attention.self.query`); a single name with regex characters is a full-match regex' },
    { kind: 'bool', key: 'rslora', label: 'rsLoRA (scale alpha / √r)', default: LORA_DEFAULTS.rslora, help: 'scale by alpha / √r instead of alpha / r' },
    { kind: 'layers', key: 'layers', label: 'Layers', hidden: true, help: 'only these encoder layers (peft\'s layers_to_transform)' },
  ],
  extraKeys: ['rankPattern', 'alphaPattern'],
  check(config, f, model) {
    const rankPattern = f.numberMap('rankPattern', 1, 4096);
    const alphaPattern = f.numberMap('alphaPattern', 1e-6, 1e6);
    for (const k of Object.keys(rankPattern)) if (!Number.isInteger(rankPattern[k])) f.problem(`rankPattern.${k}`, 'must be an integer');
    for (const [key, pattern] of [...Object.keys(rankPattern).map((x) => ['rankPattern', x]), ...Object.keys(alphaPattern).map((x) => ['alphaPattern', x])] as [string, string][]) {
      if (!isPatternKey(pattern)) f.problem(`${key}.${pattern.slice(0, 80)}`, 'is not a valid regular expression (RE2 syntax: no backreferences or lookarounds, at most 1000 characters)');
    }
    const problem = !f.has('targets') || config.targets.length > 0 ? targetsProblem(config.targets, model) : null;
    if (problem) f.problem('targets', problem);
    return {
      ...config,
      ...(Object.keys(rankPattern).length > 0 ? { rankPattern } : {}),
      ...(Object.keys(alphaPattern).length > 0 ? { alphaPattern } : {}),
    };
  },
  addsModules: true,
  mergeable: true,
  shortName: (c) => `LoRA-${c.r}`,
  hint: (c, model) => `scale = ${+loraScale(c, '').toPrecision(3)}; adapts ${siteNames(c.targets, model).join(', ') || 'nothing'} in each layer`,
  addedParams(config, model, layers) {
    const specs: ParamSpec[] = [];
    for (const site of targetedSites(config, model, layers)) {
      const [out, inp] = linearShape(model, site.site);
      const location = { kind: 'layer', layer: site.layer } as const;
      const r = loraRank(config, site.path);
      specs.push({ name: `${site.path}.lora_A.weight`, shape: [r, inp], location, module: 'lora' });
      specs.push({ name: `${site.path}.lora_B.weight`, shape: [out, r], location, module: 'lora' });
    }
    return specs;
  },
  // peft's init: A kaiming-uniform (U(±1/√in)), B zeros, so the branch starts at 0.
  initial: (spec, fanIn, rng) => (spec.name.endsWith('lora_A.weight') ? rng.uniform(specNumel(spec), 1 / Math.sqrt(fanIn)) : new Float32Array(specNumel(spec))),
  trainsBase: () => false,
  paperCount(config, model, layers) {
    return targetedSites(config, model, layers).reduce((sum, s) => {
      const [out, inp] = linearShape(model, s.site);
      return sum + loraRank(config, s.path) * (out + inp);
    }, 0);
  },
  attach: {
    // The branch exists where the planner placed its tensors; the caller checks that.
    lowRank: (config, path) => ({ rank: loraRank(config, path), scale: loraScale(config, path) }),
    branchDropout: (config) => config.dropout,
  },
};

// The folder's public surface beside the module: the defaults and peft's matching rules.
export { LORA_DEFAULTS, type LoraConfig } from './config';
export { loraRank, loraScale, matchesTarget, targetedSites } from './targets';
