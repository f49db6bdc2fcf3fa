import { describe, expect, it } from 'vitest';
import { exportTrained, importAdapter } from '../../src/engine/io/export';
import { readSafeTensors } from '../../src/engine/io/safetensors';
import { PRESETS } from '../../src/engine/model/config';
import { specNumel, type ParamSpec } from '../../src/engine/model/params';
import { parsePeftConfig } from '../../src/engine/peft/parse';
import { planPeft } from '../../src/engine/peft/plan';

const model = PRESETS.tiny;

/** Distinct recognizable values per tensor. */
function values(specs: readonly ParamSpec[], offset = 0): Map<string, Float32Array> {
  return new Map(specs.map((s, i) => [s.name, Float32Array.from({ length: specNumel(s) }, (_, j) => offset + i + j / 1000)]));
}

describe('export and import', () => {
  it("writes LoRA in peft's layout (names, shapes, config) and reads it back", () => {
    const peft = parsePeftConfig({ methods: [{ type: 'lora', r: 4, alpha: 8, targets: ['query', 'value'] }] }, model);
    const plan = planPeft(model, peft);
    const trained = values(plan.added);
    const files = exportTrained({ plan, trained, base: new Map(), baseModel: 'microsoft/codebert-base' });
    expect([...files.keys()].sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors']);
    const cfg = JSON.parse(new TextDecoder().decode(files.get('adapter_config.json')));
    expect(cfg).toMatchObject({ peft_type: 'LORA', r: 4, lora_alpha: 8, target_modules: ['query', 'value'], bias: 'none', base_model_name_or_path: 'microsoft/codebert-base' });
    const st = readSafeTensors(files.get('adapter_model.safetensors')!);
    expect(st.tensors.get('base_model.model.encoder.layer.0.attention.self.query.lora_A.weight')?.shape).toEqual([4, 32]);
    expect(st.tensors.get('base_model.model.encoder.layer.1.attention.self.value.lora_B.weight')?.shape).toEqual([32, 4]);
    expect(st.tensors.size).toBe(8);
    const back = importAdapter(files, model);
    expect(back.format).toBe('peft');
    expect(back.peft.methods[0]).toMatchObject({ type: 'lora', r: 4, alpha: 8 });
    for (const [k, v] of trained) expect([...back.tensors.get(k)!]).toEqual([...v]);
  });

  it("writes combinations in the lab's format and base-weight training as a Hugging Face model folder", () => {
    const peft = parsePeftConfig({ methods: [{ type: 'lora', r: 2, targets: ['query'] }, { type: 'adapter', placement: 'ffn', size: 3 }] }, model);
    const plan = planPeft(model, peft);
    const files = exportTrained({ plan, trained: values(plan.added), base: new Map(), baseModel: 'tiny' });
    expect([...files.keys()].sort()).toEqual(['lab_adapter.safetensors', 'lab_peft.json']);
    const back = importAdapter(files, model);
    expect(back.format).toBe('lab');
    expect(back.peft).toEqual(peft);
    expect(back.tensors.get('encoder.layer.1.output.adapter.up.weight')?.length).toBe(32 * 3);

    const bitfit = planPeft(model, parsePeftConfig({ methods: [{ type: 'bitfit' }] }, model));
    const base = values(bitfit.base);
    const trained = values(bitfit.trainable, 100);
    const folder = exportTrained({ plan: bitfit, trained, base, baseModel: 'tiny' });
    expect([...folder.keys()].sort()).toEqual(['config.json', 'model.safetensors']);
    const weights = readSafeTensors(folder.get('model.safetensors')!).tensors;
    expect(weights.size).toBe(bitfit.base.length);
    expect(weights.get('encoder.layer.0.attention.self.query.bias')!.data[0]).toBe(trained.get('encoder.layer.0.attention.self.query.bias')![0]);
    expect(weights.get('encoder.layer.0.attention.self.query.weight')!.data[0]).toBe(base.get('encoder.layer.0.attention.self.query.weight')![0]);
  });

  it('refuses folders without an adapter, with a clear message', () => {
    expect(() => importAdapter(new Map(), model)).toThrow(/no adapter found/);
    expect(() => importAdapter(new Map([['adapter_config.json', new TextEncoder().encode('{"peft_type":"LORA"}')]]), model)).toThrow(/no adapter_model.safetensors/);
  });
});
