/**
 * Hugging Face peft's `adapter_config.json` ↔ the lab's configuration, for the two methods peft and the lab
 * share: LoRA (`LORA`), (IA)³ (`IA3`) and prefix-tuning (`PREFIX_TUNING`). Fields are read as peft 0.21 reads them; a field
 * the lab cannot compute is refused by name rather than ignored, so an imported adapter never silently
 * computes something else than it does in peft.
 */
import type { EncoderConfig } from '../model/config';
import { LINEAR_SITES, linearPath } from '../model/params';
import { ConfigError, FieldReader } from './fields';
import { IA3_DEFAULTS } from './ia3';
import { LORA_DEFAULTS } from './lora/config';
import { matchesTarget } from './lora/targets';
import { fullMatch, isValidPattern } from './patterns';
import { parseMethodFields } from './method_fields';
import type { MethodConfig } from './registry';
import type { PeftConfig } from './types';

const WHAT = 'adapter_config.json';
const PATTERN_PROBLEM = 'is not a regular expression the lab can match (RE2 syntax, as Python\'s for module names: no backreferences or lookarounds; at most 1000 characters)';

/** Modules of RobertaModel peft could wrap that the lab cannot put a LoRA branch on. */
const FOREIGN_MODULES = ['pooler.dense', 'embeddings.word_embeddings', 'embeddings.position_embeddings', 'embeddings.token_type_embeddings'];

/**
 * peft's sequence-classification adapters (`task_type: "SEQ_CLS"`) wrap RobertaForSequenceClassification: the head
 * is saved whole as `modules_to_save` (the lab's always-trained classifier), module paths start with `roberta.`.
 */
export function isSequenceClassification(root: Readonly<Record<string, unknown>>): boolean {
  return root.task_type === 'SEQ_CLS';
}

const HEAD_MODULES = ['classifier', 'score'];

/** Without `roberta.`, as the lab names the encoder's modules (a SEQ_CLS adapter's explicit paths carry it). */
function encoderView(root: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  if (!isSequenceClassification(root)) return root;
  const strip = (v: unknown): unknown => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x.replace(/^roberta\./, '') : x)) : v);
  const headOnly = Array.isArray(root.modules_to_save) && root.modules_to_save.every((m) => HEAD_MODULES.includes(String(m)));
  return { ...root, target_modules: strip(root.target_modules), feedforward_modules: strip(root.feedforward_modules), modules_to_save: headOnly ? null : root.modules_to_save };
}

export function fromHfPeft(raw: Readonly<Record<string, unknown>>, model: EncoderConfig): PeftConfig {
  const problems: string[] = [];
  const root = encoderView(raw);
  const f = new FieldReader(root, 'adapter_config', problems);
  let method: MethodConfig | null = null;
  if (root.peft_type === 'LORA') method = loraFromHf(root, f, model, problems);
  else if (root.peft_type === 'PREFIX_TUNING') method = prefixFromHf(root, f, model, problems);
  else if (root.peft_type === 'IA3') method = ia3FromHf(root, model, problems);
  else problems.push(`peft_type "${String(root.peft_type)}" is not supported: the lab imports peft LoRA, IA3 and PREFIX_TUNING adapters`);
  if (problems.length > 0 || !method) throw new ConfigError(WHAT, problems);
  return { methods: [method], layers: null, trainPooler: false };
}

function refuse(root: Readonly<Record<string, unknown>>, problems: string[], key: string, ok: (v: unknown) => boolean, why: string): void {
  if (key in root && !ok(root[key])) problems.push(`adapter_config.${key}: ${JSON.stringify(root[key])} is not supported (${why})`);
}

const isOff = (v: unknown): boolean => v === null || v === false || (Array.isArray(v) && v.length === 0);

function loraFromHf(root: Readonly<Record<string, unknown>>, f: FieldReader, model: EncoderConfig, problems: string[]): MethodConfig | null {
  refuse(root, problems, 'use_dora', isOff, 'DoRA is not implemented in the lab');
  refuse(root, problems, 'lora_bias', isOff, 'the lab trains no LoRA bias');
  refuse(root, problems, 'fan_in_fan_out', isOff, 'RoBERTa linears are not Conv1D');
  refuse(root, problems, 'modules_to_save', isOff, 'the lab does not train whole extra modules with LoRA; use its trainPooler option or full/Telly');
  refuse(root, problems, 'bias', (v) => v === 'none', 'only "none": the lab trains no biases with LoRA');
  refuse(root, problems, 'target_parameters', isOff, 'the lab adapts modules, not parameters');
  const layersRaw = root.layers_to_transform;
  // peft applies layers_to_transform only to a list of targets; a regex string is matched alone.
  const layers = typeof root.target_modules === 'string' ? null : typeof layersRaw === 'number' ? [layersRaw] : f.layers('layers_to_transform', model.layers);
  const targets = resolveTargets(root, model, layers, problems);
  if (!targets) return null;
  const fields = {
    type: 'lora',
    r: root.r ?? LORA_DEFAULTS.r,
    alpha: root.lora_alpha ?? LORA_DEFAULTS.alpha,
    dropout: root.lora_dropout ?? LORA_DEFAULTS.dropout,
    targets,
    rslora: root.use_rslora ?? LORA_DEFAULTS.rslora,
    layers,
    rankPattern: root.rank_pattern ?? {},
    alphaPattern: root.alpha_pattern ?? {},
  };
  return parseMethodFields('lora', new FieldReader(fields, 'adapter_config', problems), model);
}

/**
 * peft's target rule: a string is a full-match regex, a list matches a module equal to or ending in "." + name;
 * exclude_modules likewise. The lab keeps a plain list as it is; otherwise it lists the matched modules.
 */
function resolveTargets(root: Readonly<Record<string, unknown>>, model: EncoderConfig, layers: readonly number[] | null, problems: string[], fallback: readonly string[] = LORA_DEFAULTS.targets): readonly string[] | null {
  const raw = root.target_modules ?? fallback;
  const exclude = root.exclude_modules ?? null;
  const valid = (v: unknown): v is string | string[] => typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
  if (!valid(raw)) return (problems.push('adapter_config.target_modules: must be a string (regex) or a list of module names'), null);
  if (exclude !== null && !valid(exclude)) return (problems.push('adapter_config.exclude_modules: must be a string (regex) or a list of module names'), null);
  for (const [key, v] of [['target_modules', raw], ['exclude_modules', exclude]] as const) {
    if (typeof v === 'string' && !isValidPattern(v)) return (problems.push(`adapter_config.${key}: ${PATTERN_PROBLEM}`), null);
  }
  if (raw === 'all-linear') return (problems.push('adapter_config.target_modules: "all-linear" is not supported; list the modules (query, key, value, attention.output.dense, intermediate.dense, output.dense)'), null);
  const hits = (spec: string | string[], path: string): boolean => {
    if (typeof spec === 'string') return safeFullMatch(spec, path);
    return spec.some((t) => path === t || path.endsWith(`.${t}`));
  };
  const chosen = (path: string): boolean => hits(raw, path) && !(exclude !== null && hits(exclude, path));
  const foreign = FOREIGN_MODULES.filter(chosen);
  if (foreign.length > 0) {
    problems.push(`adapter_config.target_modules also matches ${foreign.join(', ')}: the lab puts LoRA only on the encoder layers' linears; add ${JSON.stringify(foreign)} to exclude_modules or name the layer modules`);
    return null;
  }
  // A plain list means the same to the lab, unless one lone name would read as a regex there.
  if (Array.isArray(raw) && exclude === null && !(raw.length === 1 && /[\\^$*+?()[\]{}|]/.test(raw[0]!))) return raw;
  const inLayers = (l: number): boolean => !layers || layers.includes(l);
  const paths = Array.from({ length: model.layers }, (_, l) => LINEAR_SITES.map((s) => linearPath(l, s))).flat();
  const matched = paths.filter((p) => inLayers(Number(p.split('.')[2])) && chosen(p));
  if (matched.length === 0) return (problems.push('adapter_config.target_modules: matches no linear layer of the encoder'), null);
  return matched;
}

/**
 * peft's IA3: target_modules as for LoRA; feedforward_modules (a regex string, or names a target path ends with —
 * peft's `endswith`, without LoRA's dot boundary) resolved to the targeted paths they select.
 */
function ia3FromHf(root: Readonly<Record<string, unknown>>, model: EncoderConfig, problems: string[]): MethodConfig | null {
  refuse(root, problems, 'fan_in_fan_out', isOff, 'RoBERTa linears are not Conv1D');
  refuse(root, problems, 'modules_to_save', isOff, 'the lab does not train whole extra modules with (IA)³; use its trainPooler option');
  refuse(root, problems, 'target_parameters', isOff, 'the lab adapts modules, not parameters');
  const targets = resolveTargets(root, model, null, problems, IA3_DEFAULTS.targets);
  if (!targets) return null;
  const ff = root.feedforward_modules ?? IA3_DEFAULTS.feedforward;
  if (typeof ff !== 'string' && !(Array.isArray(ff) && ff.every((x) => typeof x === 'string'))) {
    return (problems.push('adapter_config.feedforward_modules: must be a string (regex) or a list of module names'), null);
  }
  if (typeof ff === 'string' && !isValidPattern(ff)) return (problems.push(`adapter_config.feedforward_modules: ${PATTERN_PROBLEM}`), null);
  const paths = Array.from({ length: model.layers }, (_, l) => LINEAR_SITES.map((s) => linearPath(l, s))).flat().filter((p) => matchesTarget(targets, p));
  const isFeedforward = (path: string): boolean => (typeof ff === 'string' ? safeFullMatch(ff, path) : ff.some((t) => path.endsWith(t)));
  const fields = { type: 'ia3', targets: paths, feedforward: paths.filter(isFeedforward) };
  return parseMethodFields('ia3', new FieldReader(fields, 'adapter_config', problems), model);
}

function safeFullMatch(pattern: string, path: string): boolean {
  return fullMatch(pattern, path) === true;
}

function prefixFromHf(root: Readonly<Record<string, unknown>>, f: FieldReader, model: EncoderConfig, problems: string[]): MethodConfig | null {
  const expect = (key: string, want: number): void => {
    if (key in root && root[key] !== null && root[key] !== want) problems.push(`adapter_config.${key}: ${JSON.stringify(root[key])} does not match the model (${want})`);
  };
  expect('num_layers', model.layers);
  expect('token_dim', model.hidden);
  expect('num_attention_heads', model.heads);
  refuse(root, problems, 'num_transformer_submodules', (v) => v === 1 || v === null, 'an encoder has one transformer stack');
  // With prefix_projection peft saves the MLP's output for the P rows, not the MLP: the same key/value rows as a
  // plain prefix, so the lab imports it as one (it computes the same; training resumes without the MLP).
  if (!('num_virtual_tokens' in root)) f.problem('num_virtual_tokens', 'is required (the prefix length P)');
  const fields = { type: 'prefix', length: root.num_virtual_tokens ?? 1, projection: null };
  return parseMethodFields('prefix', new FieldReader(fields, 'adapter_config', problems), model);
}
