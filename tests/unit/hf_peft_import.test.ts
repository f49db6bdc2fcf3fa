/**
 * Reading peft's adapter_config.json and adapter files: the fields peft 0.21 honours are honoured (patterns,
 * exclude_modules, regex targets, prefix-tuning), the ones the lab cannot compute are refused by name, and an
 * adapter file whose tensors do not fit its configuration is refused before anything is loaded.
 */
import { describe, expect, it } from 'vitest';
import { importAdapter } from '../../src/engine/io/export';
import { writeSafeTensors } from '../../src/engine/io/safetensors';
import { PRESETS } from '../../src/engine/model/config';
import { ConfigError } from '../../src/engine/peft/fields';
import type { Ia3Config } from '../../src/engine/peft/ia3';
import { LORA_DEFAULTS, loraRank, loraScale, targetedSites } from '../../src/engine/peft/lora';
import { DEFAULT_PEFT } from '../../src/cli/peft_file';
import { parsePeftConfig } from '../../src/engine/peft/parse';
import { planPeft } from '../../src/engine/peft/plan';
import type { LoraConfig } from '../../src/engine/peft/types';
import { checkPositions } from '../../src/engine/train/trainable_model';

const model = PRESETS.tiny; // 2 layers, hidden 32, 24 positions

function problems(json: unknown): string {
  try {
    parsePeftConfig(json, model);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
  throw new Error('expected a ConfigError');
}

function loraOf(json: unknown): LoraConfig {
  return parsePeftConfig(json, model).methods[0] as LoraConfig;
}

describe("peft's LoRA fields", () => {
  it("has one set of defaults, peft's: the lab's JSON, a peft file and the CLI's default method agree", () => {
    const fromLab = loraOf({ methods: [{ type: 'lora' }] });
    const fromPeft = loraOf({ peft_type: 'LORA' });
    const cli = loraOf(DEFAULT_PEFT);
    for (const l of [fromLab, fromPeft, cli]) expect(l).toMatchObject({ r: 8, alpha: 8, dropout: 0, targets: ['query', 'value'], rslora: false });
    expect(LORA_DEFAULTS).toMatchObject({ r: 8, alpha: 8 });
  });

  it('rank_pattern and alpha_pattern set r and alpha per module (first matching key, anchored at a dot)', () => {
    const l = loraOf({ peft_type: 'LORA', r: 8, lora_alpha: 16, target_modules: ['query', 'value'], rank_pattern: { 'layer.1.attention.self.query': 2 }, alpha_pattern: { value: 4 } });
    expect(loraRank(l, 'encoder.layer.1.attention.self.query')).toBe(2);
    expect(loraRank(l, 'encoder.layer.0.attention.self.query')).toBe(8);
    expect(loraScale(l, 'encoder.layer.1.attention.self.query')).toBe(16 / 2);
    expect(loraScale(l, 'encoder.layer.0.attention.self.value')).toBe(4 / 8);
    const shapes = new Map(planPeft(model, parsePeftConfig({ methods: [l] }, model)).added.map((s) => [s.name, s.shape]));
    expect(shapes.get('encoder.layer.1.attention.self.query.lora_A.weight')).toEqual([2, 32]);
    expect(shapes.get('encoder.layer.0.attention.self.query.lora_A.weight')).toEqual([8, 32]);
  });

  it('target_modules ["dense"] reaches the pooler as in peft: refused unless exclude_modules removes it', () => {
    expect(problems({ peft_type: 'LORA', target_modules: ['dense'] })).toMatch(/also matches pooler\.dense.*exclude_modules/);
    const l = loraOf({ peft_type: 'LORA', target_modules: ['dense'], exclude_modules: ['pooler.dense'] });
    const sites = targetedSites(l, model, [0, 1]).map((s) => s.path);
    expect(sites).toEqual([0, 1].flatMap((l) => ['attention.output.dense', 'intermediate.dense', 'output.dense'].map((m) => `encoder.layer.${l}.${m}`)));
  });

  it('a string target is a full-match regex, and exclude_modules may be one too', () => {
    const l = loraOf({ peft_type: 'LORA', target_modules: '.*\\.self\\.(query|key)', exclude_modules: '.*layer\\.0\\..*' });
    expect(targetedSites(l, model, [0, 1]).map((s) => s.path)).toEqual(['encoder.layer.1.attention.self.query', 'encoder.layer.1.attention.self.key']);
  });

  it('refuses what it cannot compute, naming the field', () => {
    const p = problems({ peft_type: 'LORA', use_dora: true, lora_bias: true, modules_to_save: ['pooler'], bias: 'all', fan_in_fan_out: true });
    for (const field of ['use_dora', 'lora_bias', 'modules_to_save', 'bias', 'fan_in_fan_out']) expect(p).toContain(`adapter_config.${field}`);
    expect(problems({ peft_type: 'LOHA' })).toMatch(/peft_type "LOHA" is not supported/);
    expect(problems({ peft_type: 'IA3', fan_in_fan_out: true, modules_to_save: ['classifier'] })).toMatch(/fan_in_fan_out[\s\S]*modules_to_save/);
    expect(problems({ peft_type: 'LORA', target_modules: 'all-linear' })).toMatch(/all-linear/);
  });
});

describe("peft's IA3 fields", () => {
  it("defaults to peft's RoBERTa targets; feedforward_modules match by a bare endswith, as peft does", () => {
    const defaults = parsePeftConfig({ peft_type: 'IA3' }, model).methods[0] as Ia3Config;
    expect(defaults.targets).toEqual([0, 1].flatMap((l) => ['attention.self.key', 'attention.self.value', 'attention.output.dense', 'output.dense'].map((m) => `encoder.layer.${l}.${m}`)));
    expect(defaults.feedforward).toEqual([0, 1].flatMap((l) => ['attention.output.dense', 'output.dense'].map((m) => `encoder.layer.${l}.${m}`)));
    const bare = parsePeftConfig({ peft_type: 'IA3', target_modules: ['query', 'intermediate.dense'], feedforward_modules: ['ate.dense'] }, model).methods[0] as Ia3Config;
    expect(bare.feedforward).toEqual(['encoder.layer.0.intermediate.dense', 'encoder.layer.1.intermediate.dense']);
  });

  it('refuses a feed-forward module that is not targeted (the lab\'s own config)', () => {
    expect(() => parsePeftConfig({ methods: [{ type: 'ia3', targets: ['key'], feedforward: ['output.dense'] }] }, model)).toThrow(/feedforward: must be among the targets/);
    expect(() => parsePeftConfig({ methods: [{ type: 'ia3' }, { type: 'lora' }] }, model)).toThrow(/ia3 and lora cannot be combined/);
  });
});

describe('prefix-tuning and tensor checks', () => {
  const prefixConfig = { peft_type: 'PREFIX_TUNING', task_type: 'FEATURE_EXTRACTION', num_virtual_tokens: 3, num_layers: 2, token_dim: 32, num_attention_heads: 4, prefix_projection: true, encoder_hidden_size: 16 };

  it("splits peft's prompt_embeddings (P, 2·L·C) into the lab's per-layer keys and values", () => {
    const rows = Float32Array.from({ length: 3 * 128 }, (_, i) => i);
    const files = new Map([
      ['adapter_config.json', new TextEncoder().encode(JSON.stringify(prefixConfig))],
      ['adapter_model.safetensors', writeSafeTensors([{ name: 'prompt_embeddings', shape: [3, 128], data: rows }])],
    ]);
    const a = importAdapter(files, model);
    expect(a.peft.methods[0]).toMatchObject({ type: 'prefix', length: 3, projection: null });
    // row 1, layer 1: key columns [64, 96), value columns [96, 128)
    expect(a.tensors.get('prefix.layer.1.key')![32]).toBe(128 + 64);
    expect(a.tensors.get('prefix.layer.1.value')![32 + 31]).toBe(128 + 127);
    expect(problems({ ...prefixConfig, num_layers: 12 })).toMatch(/num_layers: 12 does not match the model \(2\)/);
  });

  it('refuses tensors of the wrong shape, dtype or name, and missing ones, before loading anything', () => {
    const config = new TextEncoder().encode(JSON.stringify({ peft_type: 'LORA', r: 4, target_modules: ['query'] }));
    const plan = planPeft(model, parsePeftConfig({ peft_type: 'LORA', r: 4, target_modules: ['query'] }, model));
    const good = plan.added.map((s) => ({ name: `base_model.model.${s.name}`, shape: s.shape, data: new Float32Array(s.shape.reduce((a, b) => a * b, 1)) }));
    const files = (tensors: { name: string; shape: readonly number[]; data: Float32Array | Int32Array }[]) => new Map([['adapter_config.json', config], ['adapter_model.safetensors', writeSafeTensors(tensors)]]);
    expect(importAdapter(files(good), model).tensors.size).toBe(4);
    const short = good.map((t, i) => (i === 0 ? { ...t, shape: [2, 32], data: new Float32Array(64) } : t));
    expect(() => importAdapter(files(short), model)).toThrow(/lora_A\.weight" has shape \(2, 32\), the configuration needs \(4, 32\)/);
    const long = good.map((t, i) => (i === 0 ? { ...t, shape: [8, 32], data: new Float32Array(256) } : t));
    expect(() => importAdapter(files(long), model)).toThrow(/has shape \(8, 32\)/);
    const ints = good.map((t, i) => (i === 0 ? { ...t, data: new Int32Array(128) } : t));
    expect(() => importAdapter(files(ints), model)).toThrow(/is I32, not a floating-point tensor/);
    expect(() => importAdapter(files(good.slice(1)), model)).toThrow(/missing 1 tensor/);
    const extra = [...good, { name: 'base_model.model.encoder.layer.0.attention.self.key.lora_A.weight', shape: [4, 32], data: new Float32Array(128) }];
    expect(() => importAdapter(files(extra), model)).toThrow(/unexpected tensor "encoder\.layer\.0\.attention\.self\.key\.lora_A\.weight"/);
  });

  it('bounds the sequence length by the prefix: T + P + pad must stay inside the position table', () => {
    const withPrefix = parsePeftConfig({ methods: [{ type: 'prefix', length: 4 }] }, model);
    expect(() => checkPositions(model, withPrefix, 18)).not.toThrow(); // last position 18 + 4 + 1 = 23 < 24
    expect(() => checkPositions(model, withPrefix, 19)).toThrow(/plus the 4 prefix rows needs position 24.*at most 18/);
    expect(() => checkPositions(model, parsePeftConfig({ methods: [{ type: 'bitfit' }] }, model), 22)).not.toThrow();
  });
});

describe('hostile patterns in a peft file', () => {
  it('a catastrophic regex target is matched in linear time (RE2), not in exponential time', () => {
    const started = Date.now();
    const problems = (json: unknown): string => {
      try {
        parsePeftConfig(json, model);
        return '';
      } catch (error) {
        return error instanceof ConfigError ? error.problems.join('\n') : String(error);
      }
    };
    // Backtracking engines take 2^n steps on this pattern against a module path; RE2 answers at once.
    expect(problems({ peft_type: 'LORA', target_modules: '([a-z.0-9]+)+Z' })).toMatch(/matches no linear layer/);
    expect(problems({ peft_type: 'IA3', target_modules: '(.*a){20}', feedforward_modules: '([a-z]+)*$x' })).toMatch(/matches no linear layer/);
    expect(problems({ peft_type: 'LORA', target_modules: ['query'], rank_pattern: { '(\\w+\\.?)+!': 2 } })).toBe('');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('backreferences, lookarounds and overlong patterns are refused by name', () => {
    expect(() => parsePeftConfig({ peft_type: 'LORA', target_modules: '(query)\\1' }, model)).toThrow(/target_modules: is not a regular expression the lab can match/);
    expect(() => parsePeftConfig({ peft_type: 'LORA', target_modules: '.*(?=query)' }, model)).toThrow(/RE2 syntax/);
    expect(() => parsePeftConfig({ peft_type: 'LORA', target_modules: `(${'a|'.repeat(600)}query)` }, model)).toThrow(/at most 1000 characters/);
    expect(() => parsePeftConfig({ methods: [{ type: 'lora', rankPattern: { '(?<=x)query': 2 } }] }, model)).toThrow(/rankPattern\..*is not a valid regular expression/);
  });
});
