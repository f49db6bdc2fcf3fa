import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../src/engine/model/config';
import { baseParams, countParams } from '../../src/engine/model/params';
import { ConfigError } from '../../src/engine/peft/fields';
import { lwoActiveLayers } from '../../src/engine/peft/lwo';
import { parsePeftConfig } from '../../src/engine/peft/parse';
import { planPeft } from '../../src/engine/peft/plan';

const codebert = PRESETS['microsoft/codebert-base'];
const plan = (json: unknown) => planPeft(codebert, parsePeftConfig(json, codebert));

describe('parameter accounting on codebert-base', () => {
  it('has 124,645,632 base parameters split as the reference says', () => {
    const specs = baseParams(codebert);
    expect(countParams(specs)).toBe(124_645_632);
    expect(countParams(specs.filter((s) => s.location.kind === 'embeddings'))).toBe(39_000_576);
    expect(countParams(specs.filter((s) => s.location.kind === 'pooler'))).toBe(590_592);
    expect(countParams(specs.filter((s) => s.location.kind === 'layer' && s.location.layer === 3))).toBe(7_087_872);
  });

  it('LoRA r=64 on query+value trains 2,359,296 parameters (4rd per layer)', () => {
    const p = plan({ methods: [{ type: 'lora', r: 64, alpha: 128, targets: ['query', 'value'] }] });
    expect(p.exactTrainable).toBe(2_359_296);
    expect(p.paperTrainable).toBe(12 * 4 * 64 * 768);
    expect(p.lowestTrainableLayer).toBe(0);
  });

  it("(IA)³ with peft's RoBERTa targets trains 64,512 parameters, peft's own count on roberta-base", () => {
    const p = plan({ methods: [{ type: 'ia3' }] });
    expect(p.exactTrainable).toBe(64_512); // 12 · (768 key + 768 value + 768 attention.output.dense in + 3072 output.dense in)
    expect(p.paperTrainable).toBe(64_512);
    expect(p.added.every((s) => s.module === 'ia3' && (s.shape[0] === 1 || s.shape[1] === 1))).toBe(true);
  });

  it('counts adapters exactly (with biases) and by the thesis (without)', () => {
    const h = plan({ methods: [{ type: 'adapter', placement: 'houlsby', size: 64 }] });
    expect(h.paperTrainable).toBe(12 * 4 * 64 * 768);
    expect(h.exactTrainable).toBe(12 * 2 * (64 * 768 + 64 + 768 * 64 + 768));
    const ffn = plan({ methods: [{ type: 'adapter', placement: 'ffn', size: 384 }] });
    expect(ffn.paperTrainable).toBe(12 * 2 * 384 * 768);
  });

  it('loFF = LoRA r=64 (q,v) + Adapter-FFN r=384 is 7.57% by the thesis convention', () => {
    const p = plan({
      methods: [
        { type: 'lora', r: 64, alpha: 128, targets: ['query', 'value'] },
        { type: 'adapter', placement: 'ffn', size: 384 },
      ],
    });
    expect(p.paperTrainable).toBe(2_359_296 + 7_077_888);
  });

  it('prefix-tuning counts 2ld per layer; restriction to layers 8-11 counts 4 layers', () => {
    expect(plan({ methods: [{ type: 'prefix', length: 10 }] }).paperTrainable).toBe(12 * 2 * 10 * 768);
    const restricted = plan({ methods: [{ type: 'prefix', length: 10 }], layers: [8, 9, 10, 11] });
    expect(restricted.paperTrainable).toBe(4 * 2 * 10 * 768);
    expect(restricted.lowestTrainableLayer).toBe(8);
  });

  it('full, BitFit, LayerNorm-only and Telly-K train the right base tensors', () => {
    expect(plan({ methods: [{ type: 'full' }] }).exactTrainable).toBe(124_645_632);
    const bitfit = plan({ methods: [{ type: 'bitfit' }] });
    expect(bitfit.trainable.every((s) => s.name.endsWith('.bias') && s.location.kind !== 'pooler')).toBe(true);
    // per layer: q, k, v, attention-output, FFN in and out biases, two LayerNorm biases (embeddings stay frozen)
    expect(bitfit.exactTrainable).toBe(12 * (4 * 768 + 3072 + 768 + 2 * 768));
    const telly = plan({ methods: [{ type: 'telly', k: 5 }] });
    expect(telly.exactTrainable).toBe(7 * 7_087_872 + 590_592);
    expect(telly.lowestTrainableLayer).toBe(5);
  });
});

describe('PEFT config validation', () => {
  it('reports every problem at once', () => {
    try {
      parsePeftConfig({ methods: [{ type: 'lora', r: 0, alpah: 3 }, { type: 'nope' }], trainPooler: 'yes' }, codebert);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const problems = (e as ConfigError).problems.join('\n');
      expect(problems).toContain('config.methods[0].r');
      expect(problems).toContain('config.methods[0].alpah: is not a known field');
      expect(problems).toContain('config.methods[1].type');
      expect(problems).toContain('config.trainPooler');
    }
  });

  it('refuses two methods that both decide which layers train', () => {
    expect(() => parsePeftConfig({ methods: [{ type: 'full' }, { type: 'telly', k: 2 }] }, codebert)).toThrow(/cannot be combined/);
  });

  it('reads a Hugging Face peft LoRA adapter_config.json', () => {
    const p = parsePeftConfig({ peft_type: 'LORA', r: 16, lora_alpha: 32, lora_dropout: 0.1, target_modules: ['query', 'key'], bias: 'none' }, codebert);
    expect(p.methods[0]).toMatchObject({ type: 'lora', r: 16, alpha: 32, dropout: 0.1, targets: ['query', 'key'] });
  });

  it('matches LoRA targets as peft does', () => {
    const p = plan({ methods: [{ type: 'lora', r: 2, targets: ['layer.3.attention.self.query'] }] });
    expect(p.added.map((s) => s.name)).toEqual([
      'encoder.layer.3.attention.self.query.lora_A.weight',
      'encoder.layer.3.attention.self.query.lora_B.weight',
    ]);
    expect(() => plan({ methods: [{ type: 'lora', targets: ['qurey'] }] })).toThrow(/match no linear layer/);
  });
});

describe('LWO schedule', () => {
  const tiny = { ...codebert, layers: 4 };
  const cfg = (schedule: 'top-down' | 'bottom-up' | 'random', group = 1) => ({ type: 'lwo' as const, group, schedule, phaseSteps: 2 });
  it('cycles bottom-up and top-down by phase', () => {
    expect([0, 1, 2, 3, 8].map((s) => lwoActiveLayers(cfg('bottom-up'), tiny, s, 0))).toEqual([[0], [0], [1], [1], [0]]);
    expect([0, 2, 4, 6].map((s) => lwoActiveLayers(cfg('top-down'), tiny, s, 0))).toEqual([[3], [2], [1], [0]]);
    expect(lwoActiveLayers(cfg('bottom-up', 3), tiny, 2, 0)).toEqual([3]);
  });
  it('visits every layer once per cycle in random order, reproducibly', () => {
    const cycle = [0, 2, 4, 6].map((s) => lwoActiveLayers(cfg('random'), tiny, s, 42)[0]);
    expect([...cycle].sort()).toEqual([0, 1, 2, 3]);
    expect([0, 2, 4, 6].map((s) => lwoActiveLayers(cfg('random'), tiny, s, 42)[0])).toEqual(cycle);
  });
});
