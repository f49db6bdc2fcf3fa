/**
 * Exports the real libraries load. Tiny runs are trained with the CLI on a save_pretrained RobertaModel; each
 * export is then loaded the way a user would — PeftModel.from_pretrained, AutoModel.from_pretrained,
 * SentenceTransformer(...).encode — with no missing or unexpected keys reported, and its embeddings must equal
 * `lab embed` within 1e-5.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { labOk } from '../helpers/lab_cli';
import { expectSame, ParityWorkspace } from '../helpers/parity';

let w: ParityWorkspace;
beforeAll(() => {
  w = new ParityWorkspace('lab-exports-');
});

describe('exports the real libraries load', () => {
  it('LoRA (rsLoRA on three modules): peft loads the run folder; the merged folder loads with AutoModel; sentence-transformers encodes like the lab', async () => {
    const run = await w.train('lora', [{ type: 'lora', r: 4, alpha: 8, targets: ['query', 'value', 'output.dense'], rslora: true }]);
    const lab = await w.labEmbed('lora', w.model, run);
    expectSame(lab, w.refEmbed('lora-peft', ['--model', w.model, '--peft', run]).emb, 'PeftModel.from_pretrained');
    await labOk('export', '--model', w.model, '--adapter', run, '--format', 'merged', '--out', join(w.dir, 'lora-merged'));
    expectSame(lab, w.refEmbed('lora-merged', ['--model', join(w.dir, 'lora-merged')]).emb, 'merged, AutoModel.from_pretrained');
    await labOk('export', '--model', w.model, '--adapter', run, '--format', 'sentence-transformers', '--out', join(w.dir, 'lora-st'));
    expectSame(lab, w.refEmbed('lora-st', ['--model', join(w.dir, 'lora-st'), '--sentence-transformers']).emb, 'SentenceTransformer');
  });

  it('(IA)³ (peft\'s RoBERTa targets, output.dense inputs scaled): peft loads the run folder; the merged folder loads with AutoModel; the lab reads peft\'s folder back', async () => {
    const run = await w.train('ia3', [{ type: 'ia3', targets: ['key', 'value', 'output.dense'], feedforward: ['output.dense'] }]);
    const config = JSON.parse(readFileSync(join(run, 'adapter_config.json'), 'utf8')) as Record<string, unknown>;
    expect(config.peft_type).toBe('IA3');
    const lab = await w.labEmbed('ia3', w.model, run);
    expectSame(lab, w.refEmbed('ia3-peft', ['--model', w.model, '--peft', run]).emb, 'PeftModel.from_pretrained (IA3)');
    await labOk('export', '--model', w.model, '--adapter', run, '--format', 'merged', '--out', join(w.dir, 'ia3-merged'));
    expectSame(lab, w.refEmbed('ia3-merged', ['--model', join(w.dir, 'ia3-merged')]).emb, 'merged (IA3 folded), AutoModel.from_pretrained');
    const base = await w.labEmbed('ia3-base', w.model, null);
    const code = lab.get('code')!;
    const moved = Math.max(...Array.from(base.get('code')!, (v, i) => Math.abs(v - code[i]!)));
    expect(moved, 'the trained vectors change the embeddings').toBeGreaterThan(1e-4);
  });

  it('sentence-transformers with mean pooling and L2 normalization (UniXcoder head)', async () => {
    const run = await w.train('lora-mean', [{ type: 'lora', r: 2, alpha: 4, targets: ['query', 'key'] }], ['--pooling', 'mean', '--normalize', '--scale', '20']);
    await labOk('export', '--model', w.model, '--adapter', run, '--format', 'sentence-transformers', '--out', join(w.dir, 'mean-st'));
    expectSame(await w.labEmbed('lora-mean', w.model, run), w.refEmbed('mean-st', ['--model', join(w.dir, 'mean-st'), '--sentence-transformers']).emb, 'SentenceTransformer mean+Normalize');
  });

  it.each([
    ['prefix', { type: 'prefix', length: 4, projection: null }],
    ['prefix-mlp', { type: 'prefix', length: 3, projection: { hidden: 16 } }],
  ])('%s: the run folder is a peft prefix-tuning adapter (prompt_embeddings) peft loads', async (name, method) => {
    const run = await w.train(name, [method]);
    const lab = await w.labEmbed(name, w.model, run);
    expectSame(lab, w.refEmbed(`${name}-peft`, ['--model', w.model, '--peft', run]).emb, 'PeftModel.from_pretrained (prefix)');
    await labOk('export', '--model', w.model, '--adapter', run, '--format', 'peft', '--out', join(w.dir, `${name}-export`));
    expectSame(await w.labEmbed(`${name}-reimport`, w.model, join(w.dir, `${name}-export`)), lab, 'the peft export read back by the lab');
  });

  it.each([
    ['telly1', { type: 'telly', k: 1 }],
    ['bitfit', { type: 'bitfit' }],
    ['full', { type: 'full' }],
    ['lwo', { type: 'lwo', group: 1, schedule: 'top-down', phaseSteps: 1 }],
  ])('%s: the model folder loads with AutoModel (config.json keeps every original key)', async (name, method) => {
    const run = await w.train(name, [method]);
    const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')) as Record<string, unknown>;
    const original = JSON.parse(readFileSync(join(w.model, 'config.json'), 'utf8')) as Record<string, unknown>;
    for (const key of Object.keys(original)) expect(config, `config.json key ${key}`).toHaveProperty(key);
    expect(config.hidden_dropout_prob).toBe(original.hidden_dropout_prob);
    expectSame(await w.labEmbed(name, w.model, run), w.refEmbed(name, ['--model', run]).emb, 'AutoModel.from_pretrained');
  });
});
