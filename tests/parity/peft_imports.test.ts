/**
 * Adapters made by real peft load into the lab: LoRA with rank/alpha patterns, exclude_modules and a regex
 * target, prefix-tuning with and without the MLP — the lab's embeddings equal peft's within 1e-5 and its MRR
 * peft's within 1e-6, and each adapter moves the embeddings far from the base model's (not vacuous).
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { labOk } from '../helpers/lab_cli';
import { LENGTHS, ParityWorkspace, expectSame, type Embeddings } from '../helpers/parity';
import { reference } from '../helpers/pyref';

let w: ParityWorkspace;
beforeAll(() => {
  w = new ParityWorkspace('lab-peft-made-');
});

describe('adapters made by real peft load into the lab', () => {
  let made: Record<string, number> = {};
  let base: Embeddings = new Map();
  beforeAll(() => {
    made = JSON.parse(reference('peft-adapters', '--model', w.model, '--data', w.data, ...LENGTHS, '--out', join(w.dir, 'made'))) as Record<string, number>;
    base = w.refEmbed('base', ['--model', w.model]).emb;
  });

  it.each(['lora_patterns', 'lora_regex', 'ia3_regex', 'prefix', 'prefix_mlp'])('%s: the same embeddings and MRR as peft', async (name) => {
    const adapter = join(w.dir, 'made', name);
    const lab = await w.labEmbed(`made-${name}`, w.model, adapter);
    expectSame(lab, w.refEmbed(`made-${name}`, ['--model', w.model, '--peft', adapter]).emb, `peft-made ${name}`);
    // Not vacuous: the adapter moves the embeddings far from the base model's.
    const code = lab.get('code')!;
    expect(Math.max(...code.map((v, i) => Math.abs(v - base.get('code')![i]!))), 'the adapter changes the embeddings').toBeGreaterThan(0.1);
    const r = await labOk('eval', '--model', w.model, '--adapter', adapter, '--data', w.data, ...LENGTHS, '--software-gpu');
    const mrr = (JSON.parse(r.stdout) as { mrr: number }).mrr;
    expect(Math.abs(mrr - made[name]!), `MRR ${mrr} vs peft's ${made[name]}`).toBeLessThan(1e-6);
  });
});
