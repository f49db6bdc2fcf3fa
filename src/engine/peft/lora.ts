/**
 * LoRA (peft semantics): y = W x + b + scale · B(A(dropout(x))), scale = alpha / r (alpha / √r with rsLoRA),
 * A (r, in) kaiming-uniform, B (out, r) zeros. Targets are matched against module paths as peft does.
 */
import { LINEAR_SITES, linearPath, linearShape, type LinearSite, type ParamSpec } from '../model/params';
import type { EncoderConfig } from '../model/config';
import type { PeftModule } from './module';
import type { LoraConfig } from './types';

/**
 * LoRA's defaults, written once: peft's own (LoraConfig r = 8, lora_alpha = 8, lora_dropout = 0, targets query
 * and value for RoBERTa), so a configuration that leaves a field out means what it means in peft. The parser,
 * the importer of peft files, the CLI's default method and the dashboard's new LoRA all take them from here.
 */
export const LORA_DEFAULTS: Omit<LoraConfig, 'layers'> = { type: 'lora', r: 8, alpha: 8, dropout: 0, targets: ['query', 'value'], rslora: false };

export const lora: PeftModule<LoraConfig> = {
  type: 'lora',
  label: 'LoRA',
  help: 'Adds trainable low-rank updates B·A to the chosen linear layers; the base weights stay frozen.',
  addsModules: true,
  parse(f, model) {
    f.rejectUnknown(['type', 'r', 'alpha', 'dropout', 'targets', 'rslora', 'layers', 'rankPattern', 'alphaPattern']);
    const d = LORA_DEFAULTS;
    const r = f.int('r', 1, 4096, d.r);
    const rankPattern = f.numberMap('rankPattern', 1, 4096);
    const alphaPattern = f.numberMap('alphaPattern', 1e-6, 1e6);
    for (const k of Object.keys(rankPattern)) if (!Number.isInteger(rankPattern[k])) f.problem(`rankPattern.${k}`, 'must be an integer');
    const config: LoraConfig = {
      type: 'lora',
      r,
      alpha: f.num('alpha', 1e-6, 1e6, d.alpha),
      dropout: f.num('dropout', 0, 0.99, d.dropout),
      targets: f.strings('targets', d.targets),
      rslora: f.bool('rslora', d.rslora),
      layers: f.layers('layers', model.layers),
      ...(Object.keys(rankPattern).length > 0 ? { rankPattern } : {}),
      ...(Object.keys(alphaPattern).length > 0 ? { alphaPattern } : {}),
    };
    for (const [k, pattern] of [...Object.keys(rankPattern).map((x) => ['rankPattern', x]), ...Object.keys(alphaPattern).map((x) => ['alphaPattern', x])] as [string, string][]) {
      if (!patternRegex(pattern)) f.problem(`${k}.${pattern}`, 'is not a valid regular expression');
    }
    if (!f.has('targets') || config.targets.length > 0) {
      const matched = allSites(model).some((s) => matchesTarget(config.targets, s.path));
      if (!matched) f.problem('targets', `match no linear layer (try ${LINEAR_SITES.map((s) => `"${s}"`).join(', ')})`);
    }
    return config;
  },
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
  trainsBase: () => false,
  paperCount(config, model, layers) {
    return targetedSites(config, model, layers).reduce((sum, s) => {
      const [out, inp] = linearShape(model, s.site);
      return sum + loraRank(config, s.path) * (out + inp);
    }, 0);
  },
};

/** The module's rank: rank_pattern's first key (in order) the path ends with, else r — peft's get_pattern_key. */
export function loraRank(config: LoraConfig, path: string): number {
  return patternValue(config.rankPattern, path) ?? config.r;
}

/** The branch's scale at a module: alpha / r, or alpha / √r with rsLoRA, both per module under the patterns. */
export function loraScale(config: LoraConfig, path: string): number {
  const r = loraRank(config, path);
  const alpha = patternValue(config.alphaPattern, path) ?? config.alpha;
  return config.rslora ? alpha / Math.sqrt(r) : alpha / r;
}

function patternRegex(key: string): RegExp | null {
  try {
    return new RegExp(`^(?:.*\\.)?(?:${key})$`);
  } catch {
    return null;
  }
}

function patternValue(pattern: Readonly<Record<string, number>> | undefined, path: string): number | undefined {
  for (const [key, value] of Object.entries(pattern ?? {})) if (patternRegex(key)?.test(path)) return value;
  return undefined;
}

interface Site {
  readonly layer: number;
  readonly site: LinearSite;
  readonly path: string;
}

function allSites(model: EncoderConfig): Site[] {
  const sites: Site[] = [];
  for (let layer = 0; layer < model.layers; layer++) {
    for (const site of LINEAR_SITES) sites.push({ layer, site, path: linearPath(layer, site) });
  }
  return sites;
}

export function targetedSites(config: LoraConfig, model: EncoderConfig, layers: readonly number[]): Site[] {
  return allSites(model).filter((s) => layers.includes(s.layer) && matchesTarget(config.targets, s.path));
}

/**
 * peft's rule: a list of names matches a module whose path equals a name or ends with "." + name (so
 * "output.dense" also matches "attention.output.dense", exactly as in peft); a single name containing regex
 * characters is a full-match regular expression.
 */
export function matchesTarget(targets: readonly string[], path: string): boolean {
  if (targets.length === 1 && /[\\^$*+?()[\]{}|]/.test(targets[0]!)) {
    try {
      return new RegExp(`^(?:${targets[0]!})$`).test(path);
    } catch {
      return false;
    }
  }
  return targets.some((t) => path === t || path.endsWith(`.${t}`));
}
