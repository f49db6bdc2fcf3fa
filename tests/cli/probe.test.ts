/**
 * `lab probe` as a user runs it, on the demo model and the bundled probing sample (real standard-library
 * functions): per-layer probe accuracy for the model, and with --run a LoRA run's probes and each layer's CKA
 * with the model — exactly 1 for the embeddings, which LoRA on query/value leaves untouched, below 1 above them.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { lab, labOk } from '../helpers/lab_cli';
import { testRuntime } from '../helpers/gpu';

const MODEL = 'public/sample/model';
let dir = '';
let data = '';
const SMALL = ['--length', '24', '--batch', '16', '--software-gpu'];

beforeAll(async () => {
  await testRuntime();
  dir = mkdtempSync(join(tmpdir(), 'lab-probe-'));
  data = join(dir, 'probe.jsonl');
  writeFileSync(data, readFileSync('public/sample/probe.jsonl', 'utf8').split('\n').slice(0, 80).join('\n'));
});
afterEach(() => vi.restoreAllMocks());

interface Layer {
  readonly layer: number;
  readonly model: { accuracy: number; trainAccuracy: number; converged: boolean };
  readonly run?: { accuracy: number };
  readonly cka?: number;
}

describe('lab probe', () => {
  it('prints per-layer probe accuracy with the class counts and the majority baseline', async () => {
    const r = await labOk('probe', '--model', MODEL, '--data', data, '--label-field', 'syntactic_returns', '--pooling', 'mean', ...SMALL);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^probe of "syntactic_returns" on 80 examples \("0" ×\d+, "1" ×\d+\), 25% held out; mean over tokens; majority class \d+\.\d%$/);
    expect(lines.slice(2).map((l) => l.split(/\s+/)[0])).toEqual(['emb', '1', '2']);
  });

  it('with --run: the run\'s probes and CKA per layer (1 where the method changed nothing), also as JSON', async () => {
    const run = join(dir, 'run');
    const lines = readFileSync('public/sample/train.jsonl', 'utf8').split('\n').slice(0, 16).join('\n');
    writeFileSync(join(dir, 'train.jsonl'), lines);
    await labOk('train', '--model', MODEL, '--train', join(dir, 'train.jsonl'), '--out', run, '--steps', '4', '--batch-size', '4', '--lr', '5e-2', '--code-length', '24', '--nl-length', '12', '--software-gpu');
    const json = join(dir, 'probe.json');
    // Mean pooling: the embeddings' <s> state is the same for every input, so it has no CKA (the table shows —).
    const r = await labOk('probe', '--model', MODEL, '--data', data, '--label-field', 'syntactic_returns', '--run', run, '--json', json, '--pooling', 'mean', ...SMALL);
    expect(r.stdout).toMatch(/layer\s+model acc\s+run acc\s+CKA\(model, run\)/);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { layers: Layer[]; classes: string[]; majority: number };
    expect(report.classes).toEqual(['0', '1']);
    expect(report.layers.map((l) => l.layer)).toEqual([0, 1, 2]);
    for (const l of report.layers) {
      for (const acc of [l.model.accuracy, l.run!.accuracy]) expect(acc).toBeGreaterThanOrEqual(0), expect(acc).toBeLessThanOrEqual(1);
    }
    expect(report.layers[0]!.cka).toBeCloseTo(1, 10); // LoRA (query, value) leaves the embeddings as they were
    expect(report.layers[2]!.cka).toBeLessThan(0.999999); // ... and changes what the layers above compute
  });

  it('shows no CKA for a layer that is the same for every input (<s> of the embeddings)', async () => {
    const r = await labOk('probe', '--model', MODEL, '--data', data, '--label-field', 'syntactic_returns', '--run', join(dir, 'run'), '--pooling', 'cls', ...SMALL);
    expect(r.stdout.split('\n').find((l) => l.startsWith('emb'))).toMatch(/—$/);
  });

  it('says plainly what is wrong with the data', async () => {
    const r = await lab('probe', '--model', MODEL, '--data', data, '--label-field', 'path', ...SMALL);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/\d+ distinct labels for 80 records, so most classes would have one example/);
    const none = await lab('probe', '--model', MODEL, '--data', data, '--label-field', 'nope', ...SMALL);
    expect(none.stderr).toMatch(/none of its 80 records could be used \(line 1: missing label field "nope"; .*\)\.\n$/);
  });
});
