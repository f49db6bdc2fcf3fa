import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../src/engine/model/config';
import { DOC_END, DOC_START, methodsMarkdown } from '../../src/engine/peft/docs';
import { ConfigError, FieldReader } from '../../src/engine/peft/fields';
import { LORA_DEFAULTS } from '../../src/engine/peft/lora';
import { defaultMethod, METHOD_SWEEP_AXES, parseMethodFields } from '../../src/engine/peft/method_fields';
import { parsePeftConfig } from '../../src/engine/peft/parse';
import { METHOD_TYPES, moduleOf } from '../../src/engine/peft/registry';
import { applySweepValue } from '../../src/app/lib/sweep';
import { parseRunConfig } from '../../src/engine/train/run_config';

const codebert = PRESETS['microsoft/codebert-base'];
const small = { ...codebert, layers: 2, hidden: 32, heads: 2, intermediate: 64 };

describe('a method schema is the one source of its fields', () => {
  it("every method's dashboard defaults parse without a problem, on two model shapes", () => {
    for (const model of [codebert, small]) {
      for (const type of METHOD_TYPES) {
        const problems: string[] = [];
        parseMethodFields(type, new FieldReader(defaultMethod(type, model), type, problems), model);
        expect(problems, type).toEqual([]);
      }
    }
  });

  it('a field left out means its schema default (required fields excepted)', () => {
    for (const type of METHOD_TYPES) {
      const required = moduleOf(type).fields.filter((f) => f.kind === 'int' && f.required);
      const json = { type, ...Object.fromEntries(required.map((f) => [f.key, defaultMethod(type, codebert)[f.key]])) };
      const parsed = parsePeftConfig({ methods: [json] }, codebert).methods[0]!;
      expect(parsed, type).toEqual(defaultMethod(type, codebert));
    }
  });

  it('a required field left out is named', () => {
    expect(() => parsePeftConfig({ methods: [{ type: 'telly' }] }, codebert)).toThrow(/config\.methods\[0\]\.k: must be an integer in \[0, 12\]/);
  });

  it('every key the parser accepts is in the schema (typos are refused by name)', () => {
    for (const type of METHOD_TYPES) {
      expect(() => parsePeftConfig({ methods: [{ ...defaultMethod(type, codebert), typo: 1 }] }, codebert), type).toThrow(ConfigError);
    }
  });

  it("LoRA alpha has one default: the parser's, the dashboard's, a peft file's and the docs' are peft's 8", () => {
    expect(LORA_DEFAULTS.alpha).toBe(8);
    expect(defaultMethod('lora', codebert).alpha).toBe(LORA_DEFAULTS.alpha);
    expect(parsePeftConfig({ methods: [{ type: 'lora' }] }, codebert).methods[0]).toMatchObject({ alpha: LORA_DEFAULTS.alpha, r: LORA_DEFAULTS.r });
    expect(parsePeftConfig({ peft_type: 'LORA', target_modules: ['query', 'value'] }, codebert).methods[0]).toMatchObject({ alpha: LORA_DEFAULTS.alpha });
    expect(methodsMarkdown()).toContain('`alpha` number in [0.000001, 1000000], default 8:');
  });

  it('docs/PEFT_CONFIG.md carries the generated reference unchanged (regenerate with `npm run lab -- methods --markdown`)', () => {
    const doc = readFileSync('docs/PEFT_CONFIG.md', 'utf8');
    const block = doc.slice(doc.indexOf(DOC_START), doc.indexOf(DOC_END) + DOC_END.length);
    expect(block).toBe(methodsMarkdown());
  });

  it('sweep axes come from the schemas, and a swept LoRA rank keeps alpha / r', () => {
    expect(METHOD_SWEEP_AXES.map((a) => a.id)).toEqual(expect.arrayContaining(['lora.r', 'adapter.size', 'prefix.length', 'telly.k']));
    const base = parseRunConfig({ model: 'm', dataset: 'd', peft: { methods: [{ type: 'lora', r: 8, alpha: 16 }] }, recipe: {} }, codebert);
    const swept = parseRunConfig(applySweepValue(base, 'lora.r', 32), codebert);
    expect(swept.peft.methods[0]).toMatchObject({ r: 32, alpha: 64 });
  });
});
