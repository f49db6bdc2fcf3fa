/**
 * Model folders that used to load and then misbehave (issue 12, problems 3 and 11): sizes no weights file can
 * hold, a negative LayerNorm epsilon, zero heads, special-token ids outside the vocabulary, tokenizers whose ids
 * overrun the embedding table or whose <pad> is not the config's, and weights holding NaN — each refused at
 * load time with what is wrong, through the CLI's loader as a user meets it.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelDir, readModelConfig } from '../../src/cli/model_dir';
import { readSafeTensors, writeSafeTensors } from '../../src/engine/io/safetensors';
import { configFromHf } from '../../src/engine/model/config';

const SAMPLE = 'public/sample/model';
const sampleConfig = (): Record<string, unknown> => JSON.parse(readFileSync(join(SAMPLE, 'config.json'), 'utf8')) as Record<string, unknown>;

/** A copy of the sample model folder with one file changed. */
function variant(file: string, content: string | Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'lab-hostile-'));
  cpSync(SAMPLE, dir, { recursive: true });
  writeFileSync(join(dir, file), content);
  return dir;
}

describe('config.json sizes and values', () => {
  it.each([
    [{ num_hidden_layers: 1e6 }, /num_hidden_layers must be an integer in \[1, 1024\] \(got 1000000\)/],
    [{ hidden_size: 2 ** 40 }, /hidden_size must be an integer in \[1, 16384\]/],
    [{ num_attention_heads: 0 }, /num_attention_heads must be an integer in \[1, 1024\] \(got 0\)/],
    [{ layer_norm_eps: -1e-5 }, /layer_norm_eps must be a number in \(0, 1\)/],
    [{ pad_token_id: 1e6 }, /pad_token_id must be an integer in \[0, 999\] \(got 1000000\)/],
    [{ max_position_embeddings: 2 }, /leaves no positions after pad_token_id/],
  ])('refuses %j', (change, message) => {
    const started = Date.now();
    expect(() => configFromHf({ ...sampleConfig(), ...change })).toThrow(message);
    expect(Date.now() - started).toBeLessThan(1000); // refused before anything is planned
  });

  it('reads only its own keys (a "__proto__" key is data, not a prototype)', () => {
    const json = JSON.parse(`{"__proto__": {"num_hidden_layers": 2}, ${JSON.stringify(sampleConfig()).slice(1)}`) as Record<string, unknown>;
    expect(configFromHf(json).layers).toBe(sampleConfig().num_hidden_layers);
  });

  it('the CLI names the file and exits with the message, not an out-of-memory abort', () => {
    const dir = variant('config.json', JSON.stringify({ ...sampleConfig(), num_hidden_layers: 1e6 }));
    expect(() => readModelConfig(dir)).toThrow(/config\.json: .*num_hidden_layers must be an integer/);
  });
});

describe('tokenizer and weights that do not belong to the config', () => {
  it('refuses vocabulary ids past vocab_size and a <pad> that is not pad_token_id', () => {
    const vocab = JSON.parse(readFileSync(join(SAMPLE, 'vocab.json'), 'utf8')) as Record<string, number>;
    expect(() => loadModelDir(variant('vocab.json', JSON.stringify({ ...vocab, zzz: 5000 })))).toThrow(/token id 5000, but config\.json's vocab_size is 1000/);
    expect(() => loadModelDir(variant('config.json', JSON.stringify({ ...sampleConfig(), pad_token_id: 3 })))).toThrow(/<pad> is id 1, but config\.json's pad_token_id is 3/);
    expect(() => loadModelDir(variant('vocab.json', JSON.stringify({ ...vocab, bad: -4 })))).toThrow(/gives "bad" the id -4/);
  });

  it('refuses weights holding NaN or infinity, naming the tensor and the index', () => {
    const file = readSafeTensors(new Uint8Array(readFileSync(join(SAMPLE, 'model.safetensors'))), 'model.safetensors');
    const tensors = [...file.tensors].map(([name, t]) => ({ name, shape: t.shape, data: Float32Array.from(t.data as Float32Array) }));
    const target = tensors.find((t) => t.name.endsWith('encoder.layer.0.output.dense.weight'))!;
    target.data[7] = Number.NaN;
    expect(() => loadModelDir(variant('model.safetensors', writeSafeTensors(tensors)))).toThrow(/output\.dense\.weight\[7\] is NaN: the weights are damaged/);
  });
});
