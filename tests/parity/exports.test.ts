/**
 * Exports the real libraries load, and adapters they made that the lab loads. Tiny runs are trained with the
 * CLI on a save_pretrained RobertaModel; each export is then loaded the way a user would —
 * PeftModel.from_pretrained, AutoModel.from_pretrained, SentenceTransformer(...).encode — with no missing or
 * unexpected keys reported, and its embeddings must equal `lab embed` within 1e-5. Adapters made by real peft
 * (LoRA with rank/alpha patterns, exclude_modules and a regex target; prefix-tuning with and without the MLP)
 * load into the lab and give peft's embeddings and MRR.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSafeTensors } from '../../src/engine/io/safetensors';
import { expectClose } from '../helpers/compare';
import { labOk } from '../helpers/lab_cli';
import { reference, tinyModels } from '../helpers/pyref';

const LENGTHS = ['--code-length', '32', '--nl-length', '16'];
let dir = '';
let model = '';
let data = '';

beforeAll(() => {
  dir = tinyModels('lab-exports-', { 'pairs.jsonl': ['test.jsonl', 40] });
  model = join(dir, 'st');
  data = join(dir, 'pairs.jsonl');
});

function embeddings(path: string): Map<string, Float32Array> {
  const file = readSafeTensors(new Uint8Array(readFileSync(path)), path);
  return new Map([...file.tensors].map(([k, t]) => [k, t.data as Float32Array]));
}

/** Trains `steps` steps of a method (dropout off, a large lr so every trained tensor moves) into runs/<name>. */
async function trainRun(name: string, methods: unknown[], extra: string[] = []): Promise<string> {
  const out = join(dir, name);
  writeFileSync(join(dir, `${name}.json`), JSON.stringify({ methods }));
  await labOk('train', '--model', model, '--train', data, '--out', out, '--peft-config', join(dir, `${name}.json`), '--steps', '3', '--batch-size', '8', '--lr', '0.05', '--dropout', '0', ...LENGTHS, ...extra, '--software-gpu');
  return out;
}

/** `lab embed` of the base model plus a run's folder (or a bare model folder when adapter is null). */
async function labEmbed(tag: string, modelDir: string, adapter: string | null, extra: string[] = []): Promise<Map<string, Float32Array>> {
  const out = join(dir, `${tag}.lab.safetensors`);
  await labOk('embed', '--model', modelDir, ...(adapter ? ['--adapter', adapter] : []), '--data', data, ...LENGTHS, ...extra, '--out', out, '--software-gpu');
  return embeddings(out);
}

function refEmbed(tag: string, args: string[]): { emb: Map<string, Float32Array>; mrr: number } {
  const out = join(dir, `${tag}.ref.safetensors`);
  const metrics = JSON.parse(reference('embed', '--data', data, ...LENGTHS, ...args, '--out', out)) as { mrr: number };
  return { emb: embeddings(out), mrr: metrics.mrr };
}

function expectSame(got: Map<string, Float32Array>, want: Map<string, Float32Array>, what: string): void {
  expectClose(got.get('code')!, want.get('code')!, { atol: 1e-5, rtol: 0 }, `${what}: code`);
  expectClose(got.get('query')!, want.get('query')!, { atol: 1e-5, rtol: 0 }, `${what}: query`);
}

describe('exports the real libraries load', () => {
  it('LoRA (rsLoRA on three modules): peft loads the run folder; the merged folder loads with AutoModel; sentence-transformers encodes like the lab', async () => {
    const run = await trainRun('lora', [{ type: 'lora', r: 4, alpha: 8, targets: ['query', 'value', 'output.dense'], rslora: true }]);
    const lab = await labEmbed('lora', model, run);
    expectSame(lab, refEmbed('lora-peft', ['--model', model, '--peft', run]).emb, 'PeftModel.from_pretrained');
    await labOk('export', '--model', model, '--adapter', run, '--format', 'merged', '--out', join(dir, 'lora-merged'));
    expectSame(lab, refEmbed('lora-merged', ['--model', join(dir, 'lora-merged')]).emb, 'merged, AutoModel.from_pretrained');
    await labOk('export', '--model', model, '--adapter', run, '--format', 'sentence-transformers', '--out', join(dir, 'lora-st'));
    expectSame(lab, refEmbed('lora-st', ['--model', join(dir, 'lora-st'), '--sentence-transformers']).emb, 'SentenceTransformer');
  });

  it('sentence-transformers with mean pooling and L2 normalization (UniXcoder head)', async () => {
    const run = await trainRun('lora-mean', [{ type: 'lora', r: 2, alpha: 4, targets: ['query', 'key'] }], ['--pooling', 'mean', '--normalize', '--scale', '20']);
    await labOk('export', '--model', model, '--adapter', run, '--format', 'sentence-transformers', '--out', join(dir, 'mean-st'));
    expectSame(await labEmbed('lora-mean', model, run), refEmbed('mean-st', ['--model', join(dir, 'mean-st'), '--sentence-transformers']).emb, 'SentenceTransformer mean+Normalize');
  });

  it.each([
    ['prefix', { type: 'prefix', length: 4, projection: null }],
    ['prefix-mlp', { type: 'prefix', length: 3, projection: { hidden: 16 } }],
  ])('%s: the run folder is a peft prefix-tuning adapter (prompt_embeddings) peft loads', async (name, method) => {
    const run = await trainRun(name, [method]);
    const lab = await labEmbed(name, model, run);
    expectSame(lab, refEmbed(`${name}-peft`, ['--model', model, '--peft', run]).emb, 'PeftModel.from_pretrained (prefix)');
    await labOk('export', '--model', model, '--adapter', run, '--format', 'peft', '--out', join(dir, `${name}-export`));
    expectSame(await labEmbed(`${name}-reimport`, model, join(dir, `${name}-export`)), lab, 'the peft export read back by the lab');
  });

  it.each([
    ['telly1', { type: 'telly', k: 1 }],
    ['bitfit', { type: 'bitfit' }],
    ['full', { type: 'full' }],
  ])('%s: the model folder loads with AutoModel (config.json keeps every original key)', async (name, method) => {
    const run = await trainRun(name, [method]);
    const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')) as Record<string, unknown>;
    const original = JSON.parse(readFileSync(join(model, 'config.json'), 'utf8')) as Record<string, unknown>;
    for (const key of Object.keys(original)) expect(config, `config.json key ${key}`).toHaveProperty(key);
    expect(config.hidden_dropout_prob).toBe(original.hidden_dropout_prob);
    expectSame(await labEmbed(name, model, run), refEmbed(name, ['--model', run]).emb, 'AutoModel.from_pretrained');
  });
});

describe('adapters made by real peft load into the lab', () => {
  let made: Record<string, number> = {};
  let base = new Map<string, Float32Array>();
  beforeAll(() => {
    made = JSON.parse(reference('peft-adapters', '--model', model, '--data', data, ...LENGTHS, '--out', join(dir, 'made'))) as Record<string, number>;
    base = refEmbed('base', ['--model', model]).emb;
  });

  it.each(['lora_patterns', 'lora_regex', 'prefix', 'prefix_mlp'])('%s: the same embeddings and MRR as peft', async (name) => {
    const adapter = join(dir, 'made', name);
    const lab = await labEmbed(`made-${name}`, model, adapter);
    expectSame(lab, refEmbed(`made-${name}`, ['--model', model, '--peft', adapter]).emb, `peft-made ${name}`);
    // Not vacuous: the adapter moves the embeddings far from the base model's.
    const code = lab.get('code')!;
    expect(Math.max(...code.map((v, i) => Math.abs(v - base.get('code')![i]!))), 'the adapter changes the embeddings').toBeGreaterThan(0.1);
    const r = await labOk('eval', '--model', model, '--adapter', adapter, '--data', data, ...LENGTHS, '--software-gpu');
    const mrr = (JSON.parse(r.stdout) as { mrr: number }).mrr;
    expect(Math.abs(mrr - made[name]!), `MRR ${mrr} vs peft's ${made[name]}`).toBeLessThan(1e-6);
  });
});
