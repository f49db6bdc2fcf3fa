/** Which linear layers LoRA adapts, and each one's rank and scale, by peft's matching rules. */
import type { EncoderConfig } from '../../model/config';
import { LINEAR_SITES, linearPath, type LinearSite } from '../../model/params';
import { endsWithPattern, fullMatch } from '../patterns';
import type { LoraConfig } from './config';

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

/** Whether a rank_pattern / alpha_pattern key is a pattern the lab can match (safely: see patterns.ts). */
export function isPatternKey(key: string): boolean {
  return endsWithPattern(key, '') !== null;
}

function patternValue(pattern: Readonly<Record<string, number>> | undefined, path: string): number | undefined {
  for (const [key, value] of Object.entries(pattern ?? {})) if (endsWithPattern(key, path) === true) return value;
  return undefined;
}

export interface Site {
  readonly layer: number;
  readonly site: LinearSite;
  readonly path: string;
}

export function allSites(model: EncoderConfig): Site[] {
  const sites: Site[] = [];
  for (let layer = 0; layer < model.layers; layer++) {
    for (const site of LINEAR_SITES) sites.push({ layer, site, path: linearPath(layer, site) });
  }
  return sites;
}

/** The linear layers a list of targets selects among `layers` (LoRA's and (IA)³'s rule). */
export function sitesMatching(targets: readonly string[], model: EncoderConfig, layers: readonly number[]): Site[] {
  return allSites(model).filter((s) => layers.includes(s.layer) && matchesTarget(targets, s.path));
}

export function targetedSites(config: LoraConfig, model: EncoderConfig, layers: readonly number[]): Site[] {
  return sitesMatching(config.targets, model, layers);
}

/**
 * peft's rule: a list of names matches a module whose path equals a name or ends with "." + name (so
 * "output.dense" also matches "attention.output.dense", exactly as in peft); a single name containing regex
 * characters is a full-match regular expression.
 */
export function matchesTarget(targets: readonly string[], path: string): boolean {
  if (targets.length === 1 && /[\\^$*+?()[\]{}|]/.test(targets[0]!)) return fullMatch(targets[0]!, path) === true;
  return targets.some((t) => path === t || path.endsWith(`.${t}`));
}

/** Reports a target list that selects nothing, naming the sites that exist. */
export function targetsProblem(targets: readonly string[], model: EncoderConfig): string | null {
  if (allSites(model).some((s) => matchesTarget(targets, s.path))) return null;
  return `match no linear layer (try ${LINEAR_SITES.map((s) => `"${s}"`).join(', ')})`;
}

/** The sites a target list selects in one layer, by their short names ("query, attention.output.dense"). */
export function siteNames(targets: readonly string[], model: EncoderConfig, keep: (path: string) => boolean = () => true): string[] {
  return sitesMatching(targets, model, [0]).filter((s) => keep(s.path)).map((s) => s.site);
}
