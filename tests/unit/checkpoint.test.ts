import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertCheckpointSize, CheckpointError, detectFormat, loadCheckpoint, mapToModel, type CheckpointTensor } from '../../src/engine/io/checkpoint';
import { PRESETS } from '../../src/engine/model/config';
import { baseParams } from '../../src/engine/model/params';

const DIR = join(__dirname, '..', 'fixtures', 'torch');
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(DIR, name)));
const tiny = PRESETS.tiny;
const base = loadCheckpoint(fixture('tiny.safetensors'), 'tiny.safetensors');
const names = baseParams(tiny).map((s) => s.name);

/** Catches the error so several assertions can look at one message. */
function errorOf(f: () => unknown): CheckpointError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CheckpointError);
    return e as CheckpointError;
  }
  throw new Error('expected a CheckpointError');
}

function renamed(prefix: string, extra: [string, CheckpointTensor][] = []): Map<string, CheckpointTensor> {
  return new Map([...[...base].map(([n, t]): [string, CheckpointTensor] => [prefix + n, t]), ...extra]);
}

describe('loadCheckpoint + mapToModel', () => {
  const cases: [string, string[]][] = [
    ['tiny.safetensors', []],
    ['tiny_prefixed.safetensors', ['lm_head.dense.weight', 'roberta.embeddings.position_ids']],
    ['tiny_zip.bin', ['classifier.out_proj.weight', 'roberta.embeddings.position_ids']],
    ['tiny_legacy.bin', []],
    ['tiny_views.bin', ['cls.predictions.decoder.weight']],
  ];
  it.each(cases)('%s maps onto the tiny model with the same values as tiny.safetensors', (file, ignored) => {
    const mapped = mapToModel(loadCheckpoint(fixture(file), file), tiny);
    expect([...mapped.weights.keys()].sort()).toEqual([...names].sort());
    for (const name of names) expect(mapped.weights.get(name), name).toEqual(base.get(name)!.data);
    expect([...mapped.ignored].sort()).toEqual(ignored);
  });

  it('maps the half-precision file to values within half-precision rounding', () => {
    const mapped = mapToModel(loadCheckpoint(fixture('tiny_f16.bin'), 'tiny_f16.bin'), tiny);
    for (const name of names) {
      const want = base.get(name)!.data;
      // Round-to-nearest half precision: within half an ulp (2^-11 relative; 2^-25 absolute for subnormals).
      const bad = [...mapped.weights.get(name)!].findIndex((v, i) => Math.abs(v - want[i]!) > Math.max(Math.abs(want[i]!) * 2 ** -11, 2 ** -25));
      expect(bad, name).toBe(-1);
    }
  });

  it('detects the format by its bytes, not its name', () => {
    expect(detectFormat(fixture('tiny_zip.bin'), 'x')).toBe('torch-zip');
    expect(detectFormat(fixture('tiny_legacy.bin'), 'x')).toBe('torch-pickle');
    expect(detectFormat(fixture('tiny.safetensors'), 'x')).toBe('safetensors');
    const mapped = mapToModel(loadCheckpoint(fixture('tiny_zip.bin'), 'model.safetensors'), tiny);
    expect(mapped.weights.size).toBe(names.length);
  });

  it('says what an unreadable file looks like instead', () => {
    const text = (s: string): Uint8Array => new TextEncoder().encode(s);
    expect(() => loadCheckpoint(new Uint8Array(0), 'a.bin')).toThrow(/a\.bin: the file is empty/);
    expect(() => loadCheckpoint(text('version https://git-lfs.github.com/spec/v1\noid sha256:abc\n'), 'a.bin')).toThrow(/Git LFS pointer, not the weights/);
    expect(() => loadCheckpoint(text('<!DOCTYPE html><html>'), 'a.bin')).toThrow(/a web page, not weights/);
    expect(() => loadCheckpoint(Uint8Array.from([0x89, 0x48, 0x44, 0x46, 0, 0, 0, 0]), 'tf_model.h5')).toThrow(/HDF5 file \(TensorFlow\/Keras weights\)/);
    expect(() => loadCheckpoint(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), 'a.bin')).toThrow(/a\.bin: not a checkpoint the lab reads .* starts with bytes 01 02 03 04 05 06 07 08/);
  });

  it('turns every reader error into one CheckpointError naming the file', () => {
    const st = fixture('tiny.safetensors');
    expect(errorOf(() => loadCheckpoint(st.subarray(0, st.length - 5), 'm.safetensors')).message).toMatch(/^m\.safetensors: tensor "pooler\.dense\.bias" ends at byte .* truncated/);
    const zip = fixture('tiny_zip.bin');
    expect(errorOf(() => loadCheckpoint(zip.subarray(0, zip.length / 2), 'pytorch_model.bin')).message).toMatch(/^pytorch_model\.bin: storage "25" \(used by roberta\.[\w.]+\) is short: 1066 of its \d+ bytes/);
    expect(errorOf(() => loadCheckpoint(fixture('bad_missing_storage.bin'), 'p.bin')).message).toMatch(/^p\.bin: storage "1" \(used by b\) is missing/);
  });

  it('refuses the hostile files through the same entry point, naming the global, running nothing', () => {
    const marker = '/tmp/engI-PWNED';
    rmSync(marker, { force: true });
    expect(errorOf(() => loadCheckpoint(fixture('evil_os_system.bin'), 'pytorch_model.bin')).message).toMatch(/^pytorch_model\.bin: this file asks to run os\.system; the lab refuses to load checkpoints that contain code/);
    expect(errorOf(() => loadCheckpoint(fixture('evil_builtins_eval.pkl'), 'model.pkl')).message).toMatch(/asks to run builtins\.eval/);
    expect(existsSync(marker)).toBe(false);
  });
});

describe('mapToModel errors', () => {
  it('lists missing, unexpected, mis-shaped and non-float tensors together in one error', () => {
    const t = renamed('roberta.', [
      ['roberta.encoder.layer.0.attention.self.rotary.weight', { dtype: 'F32', shape: [2], data: new Float32Array(2) }],
      ['roberta.encoder.layer.0.attention.self.query.weight', { dtype: 'F32', shape: [32, 16], data: new Float32Array(512) }],
      ['roberta.embeddings.LayerNorm.bias', { dtype: 'I64', shape: [32], data: new Int32Array(32) }],
      ['mlp.weight', { dtype: 'F32', shape: [1], data: new Float32Array(1) }],
    ]);
    t.delete('roberta.encoder.layer.1.output.dense.bias');
    const e = errorOf(() => mapToModel(t, tiny, 'pytorch_model.bin'));
    expect(e.message).toMatch(/^pytorch_model\.bin does not fit the model config \(vocab 50, hidden 32, 2 layers.*check that config\.json belongs to these weights/);
    expect(e.problems).toEqual([
      'roberta.embeddings.LayerNorm.bias has dtype I64; weights must be floating point',
      'roberta.encoder.layer.0.attention.self.query.weight has shape [32, 16] but the model needs [32, 32]',
      'missing 1 tensor(s): roberta.encoder.layer.1.output.dense.bias',
      'unexpected 2 tensor(s) the encoder does not have: roberta.encoder.layer.0.attention.self.rotary.weight, mlp.weight',
    ]);
  });

  it('explains a missing pooler', () => {
    const t = renamed('');
    t.delete('pooler.dense.weight');
    t.delete('pooler.dense.bias');
    const e = errorOf(() => mapToModel(t, tiny));
    expect(e.problems[0]).toBe('missing 2 tensor(s): pooler.dense.weight, pooler.dense.bias');
    expect(e.problems[1]).toMatch(/no pooler .* code search embeds with the pooler output/);
  });

  it('strips any single encoder prefix (CodeXGLUE encoder., DataParallel module.) and renames gamma/beta', () => {
    for (const prefix of ['encoder.', 'module.encoder.', 'bert.']) {
      const t = renamed(prefix);
      const ln = t.get(`${prefix}encoder.layer.1.output.LayerNorm.weight`)!;
      t.delete(`${prefix}encoder.layer.1.output.LayerNorm.weight`);
      t.set(`${prefix}encoder.layer.1.output.LayerNorm.gamma`, ln);
      const mapped = mapToModel(t, tiny);
      expect(mapped.weights.get('encoder.layer.1.output.LayerNorm.weight')).toBe(ln.data);
      expect(mapped.weights.size).toBe(names.length);
    }
  });

  it('reports two encoders, and two names for one parameter', () => {
    const two = new Map([...renamed('code.'), ...renamed('nl.')]);
    expect(errorOf(() => mapToModel(two, tiny)).problems[0]).toBe('the file holds 2 encoders (code.embeddings.word_embeddings.weight, nl.embeddings.word_embeddings.weight); the lab loads one');
    const dup = renamed('', [['embeddings.LayerNorm.gamma', base.get('embeddings.LayerNorm.weight')!]]);
    expect(errorOf(() => mapToModel(dup, tiny)).problems).toEqual(['embeddings.LayerNorm.gamma and embeddings.LayerNorm.weight both map to embeddings.LayerNorm.weight']);
  });

  it('keeps a wrong-config error readable: long lists are cut', () => {
    const e = errorOf(() => mapToModel(base, PRESETS['microsoft/codebert-base']));
    expect(e.problems[0]).toBe('embeddings.word_embeddings.weight has shape [50, 32] but the model needs [50265, 768]');
    expect(e.problems.find((p) => p.startsWith('missing'))).toMatch(/^missing 160 tensor\(s\): encoder\.layer\.2\.attention\.self\.query\.weight, .*, and 148 more$/);
  });

  it('gives a clear message for a file too large to hold in one buffer', () => {
    expect(() => assertCheckpointSize(3 * 2 ** 30, 'pytorch_model.bin')).toThrow(/pytorch_model\.bin is 3\.0 GiB, more than the 2\.0 GiB this environment can read in one piece/);
    expect(() => assertCheckpointSize(499_000_000, 'pytorch_model.bin')).not.toThrow();
  });
});
