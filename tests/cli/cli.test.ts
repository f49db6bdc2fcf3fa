/**
 * The CLI as a user runs it: one-line errors with non-zero exits, `params` numbers, and a real train → export
 * → eval round trip on the bundled sample (the exported adapter evaluates to the MRR the run reported).
 */
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lab, type Captured } from '../helpers/lab_cli';
import { testRuntime } from '../helpers/gpu';

function expectOneLineError(r: Captured, pattern: RegExp): void {
  expect(r.code).not.toBe(0);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

afterEach(() => vi.restoreAllMocks());

describe('lab CLI', () => {
  it('prints usage, and one-line errors for unknown commands, bad flags, missing files and invalid configs', async () => {
    expect((await lab('--help')).stdout).toContain('commands:');
    expectOneLineError(await lab('frobnicate'), /unknown command "frobnicate"/);
    expectOneLineError(await lab('train', '--bogus'), /Unknown option '--bogus'/);
    expectOneLineError(await lab('train', '--model', '/nonexistent/model', '--train', 'x.jsonl', '--out', '/tmp/x'), /\/nonexistent\/model does not exist/);
    expectOneLineError(await lab('params', '--model', 'microsoft/codebert-base', '--peft-config', '/nonexistent.json'), /does not exist/);
    const dir = mkdtempSync(join(tmpdir(), 'lab-cli-'));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ methods: [{ type: 'lora', r: -1, alpah: 2 }] }));
    expectOneLineError(await lab('params', '--model', 'microsoft/codebert-base', '--peft-config', join(dir, 'bad.json')), /methods\[0\]\.alpah: is not a known field; config\.methods\[0\]\.r: must be an integer/);
    expectOneLineError(await lab('train', '--model', 'public/sample/model', '--train', 'x', '--out', dir, '--lr', 'fast'), /--lr must be a number/);
  });

  it('import-run: a summary of a run folder; torn lines skipped and reported; clear errors for bad folders', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-import-'));
    expectOneLineError(await lab('import-run', '--run', dir), /has no metrics\.jsonl: give a run's output folder/);
    const events = [
      { type: 'start', total_steps: 4, steps_per_epoch: 2, examples: 8, trainable: { exact: 10, base: 100 } },
      { type: 'step', step: 1, loss: 2.5, lr: 0.001, grad_norm: 1, tokens_per_s: 10, elapsed_ms: 5 },
      { type: 'eval', step: 1, mrr: 0.25, recall_1: 0.1, recall_5: 0.5, recall_10: 1, n: 8, best: true },
    ];
    writeFileSync(join(dir, 'metrics.jsonl'), `${events.map((e) => JSON.stringify(e)).join('\n')}\n{"type": "step", "st`);
    writeFileSync(join(dir, 'run_config.json'), '{ not json');
    expectOneLineError(await lab('import-run', '--run', dir), /run_config\.json is not valid JSON/);
    writeFileSync(join(dir, 'run_config.json'), JSON.stringify({ model: 'tiny', peft: { methods: [{ type: 'lora' }] } }));
    const r = await lab('import-run', '--run', dir);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ model: 'tiny', methods: ['lora'], steps: 1, total_steps: 4, done: false, trainable: 10, best: { mrr: 0.25 }, skipped_lines: 1 });
    expect(r.stderr).toMatch(/metrics\.jsonl:4: skipped \(not JSON/);
    writeFileSync(join(dir, 'metrics.jsonl'), 'garbage\n');
    expectOneLineError(await lab('import-run', '--run', dir), /holds no events of the lab's schema \(line 1: not JSON/);
  });

  it('params: LoRA r=64 on query,value of codebert-base trains 2,359,296 parameters', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-cli-'));
    writeFileSync(join(dir, 'lora.json'), JSON.stringify({ peft_type: 'LORA', r: 64, lora_alpha: 128, target_modules: ['query', 'value'] }));
    const r = await lab('params', '--model', 'microsoft/codebert-base', '--peft-config', join(dir, 'lora.json'));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ base_parameters: 124_645_632, trainable_exact: 2_359_296, trainable_paper: 2_359_296 });
  });

  it('train → export → eval: the exported adapter evaluates to the MRR the run reported', async () => {
    await testRuntime(); // points Dawn at SwiftShader for this process
    const dir = mkdtempSync(join(tmpdir(), 'lab-cli-'));
    const lines = readFileSync('public/sample/train.jsonl', 'utf8').split('\n');
    writeFileSync(join(dir, 'train.jsonl'), lines.slice(0, 16).join('\n'));
    writeFileSync(join(dir, 'valid.jsonl'), `${lines.slice(100, 112).join('\n')}\n{"broken json\n`);
    const out = join(dir, 'run');
    // Evaluation during training runs on the training towers (eval batch = batch) with their dropout switched
    // off; the later `eval` builds its own towers (another batch size): the MRRs must agree.
    const common = ['--code-length', '24', '--nl-length', '12', '--pooling', 'pooler'];
    const t = await lab('train', '--model', 'public/sample/model', '--train', join(dir, 'train.jsonl'), '--valid', join(dir, 'valid.jsonl'), '--out', out, '--steps', '3', '--batch-size', '4', '--eval-batch-size', '4', '--lr', '1e-3', '--dropout', '0.1', ...common);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stderr).toMatch(/skipped 1 record\(s\) \(line 13/);
    for (const f of ['metrics.jsonl', 'run_config.json', 'adapter_config.json', 'adapter_model.safetensors']) expect(existsSync(join(out, f)), f).toBe(true);
    const events = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; mrr?: number; best?: boolean; loss?: number });
    expect(events.filter((e) => e.type === 'step')).toHaveLength(3);
    expect(events.filter((e) => e.type === 'step').every((e) => Number.isFinite(e.loss))).toBe(true);
    const best = events.filter((e) => e.type === 'eval' && e.best).at(-1);
    expect(best?.mrr).toBeGreaterThan(0);
    const ev = await lab('eval', '--model', 'public/sample/model', '--adapter', out, '--data', join(dir, 'valid.jsonl'), '--eval-batch-size', '7');
    expect(ev.code, ev.stderr).toBe(0);
    const metrics = JSON.parse(ev.stdout) as { mrr: number; n: number; skipped: number };
    expect(metrics).toMatchObject({ n: 12, skipped: 1 });
    expect(metrics.mrr).toBeCloseTo(best!.mrr!, 6);
    // A tuning table from another GPU is used with a warning; tiles change speed, never the numbers.
    writeFileSync(join(dir, 'tuning.json'), JSON.stringify({ adapter: 'Some Other GPU', tiles: { 'NT:84x64x64': 't32', 'NN:84x64x64': 't128' } }));
    const tuned = await lab('eval', '--model', 'public/sample/model', '--adapter', out, '--data', join(dir, 'valid.jsonl'), '--eval-batch-size', '7', '--matmul-tuning', join(dir, 'tuning.json'));
    expect(tuned.code, tuned.stderr).toBe(0);
    expect(tuned.stderr).toMatch(/measured on Some Other GPU/);
    expect((JSON.parse(tuned.stdout) as { mrr: number }).mrr).toBeCloseTo(metrics.mrr, 6);
    writeFileSync(join(dir, 'bad_tuning.json'), JSON.stringify({ adapter: 'x', tiles: { 'NT:1x2x3': 't7' } }));
    expectOneLineError(await lab('eval', '--model', 'public/sample/model', '--adapter', out, '--data', join(dir, 'train.jsonl'), '--matmul-tuning', join(dir, 'bad_tuning.json')), /unknown tile "t7"/);
    const emb = await lab('embed', '--model', 'public/sample/model', '--adapter', out, '--data', join(dir, 'valid.jsonl'), '--out', join(dir, 'emb.npz'));
    expect(emb.code, emb.stderr).toBe(0);
    expect(readFileSync(join(dir, 'emb.npz')).subarray(0, 2).toString()).toBe('PK');
  });
});
