/**
 * User errors the CLI used to report as internal errors (issue 12 problem 15) and names from files echoed raw
 * to the terminal (problem 16).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { printable } from '../../src/cli/terminal';
import { LAB_FORMAT } from '../../src/engine/io/peft_format';
import { readSafeTensors, writeSafeTensors } from '../../src/engine/io/safetensors';
import { configFromHf } from '../../src/engine/model/config';
import { parsePeftConfig } from '../../src/engine/peft/parse';
import { planPeft } from '../../src/engine/peft/plan';
import { planStepMemory } from '../../src/engine/plan/memory';
import { DEFAULT_RECIPE } from '../../src/engine/train/run_config';
import { lab } from '../helpers/lab_cli';

afterEach(() => vi.restoreAllMocks());

const MODEL = 'public/sample/model';

describe('user errors are one-line messages, found before any work', () => {
  it('a batch larger than the data: a message (not exit 70), and no run folder written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-hostile-cli-'));
    const train = join(dir, 'train.jsonl');
    writeFileSync(train, readFileSync('public/sample/train.jsonl', 'utf8').split('\n').slice(0, 6).join('\n'));
    const r = await lab('train', '--model', MODEL, '--train', train, '--out', join(dir, 'run'), '--batch-size', '64', '--steps', '1');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^lab: --train has 6 usable pairs, fewer than one batch of 64: lower --batch-size or add data$/);
    expect(existsSync(join(dir, 'run'))).toBe(false);
  });

  it('embed --out into a missing folder is refused before the embeddings are computed', async () => {
    const r = await lab('embed', '--model', MODEL, '--data', 'public/sample/valid.jsonl', '--out', '/nonexistent-folder/emb.npz');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('lab: --out /nonexistent-folder/emb.npz: the folder /nonexistent-folder does not exist (create it first)');
  });
});

describe('what the terminal shows', () => {
  it('escapes control characters (ESC, CSI, BEL, DEL, C1) and keeps newlines and tabs', () => {
    expect(printable('a\x1b[2J\x07b\x7f\x9bc\n\td')).toBe('a\\x1b[2J\\x07b\\x7f\\x9bc\n\td');
  });

  it('a file name carrying an escape sequence is printed escaped', async () => {
    const r = await lab('train', '--model', MODEL, '--train', '\x1b[2J\x1b[Hlab: training finished.jsonl', '--out', join(tmpdir(), 'x'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).not.toContain('\x1b');
    expect(r.stderr).toContain('\\x1b[2J\\x1b[Hlab: training finished.jsonl');
  });
});

describe('adapter and --init tensors are checked for name, shape and dtype (problem 12)', () => {
  const sampleConfig = (): import('../../src/engine/model/config').EncoderConfig => configFromHf(JSON.parse(readFileSync(join(MODEL, 'config.json'), 'utf8')));

  /** A lab-format adapter folder for LoRA r=2 on query, with one tensor replaced by `bad`. */
  function adapterDir(bad: (name: string, shape: readonly number[]) => { shape: number[]; data: Float32Array | Int32Array; dtype?: 'I32' } | 'drop' | null, extra?: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'lab-adapter-'));
    const peft = { methods: [{ type: 'lora', r: 2, alpha: 4, targets: ['query'] }], layers: null, trainPooler: false };
    const plan = planPeft(sampleConfig(), parsePeftConfig(peft, sampleConfig()));
    const tensors = plan.added.flatMap((s): { name: string; shape: readonly number[]; data: Float32Array | Int32Array; dtype?: 'I32' }[] => {
      const replaced = bad(s.name, s.shape);
      if (replaced === 'drop') return [];
      return [{ name: s.name, ...(replaced ?? { shape: [...s.shape], data: new Float32Array(s.shape.reduce((a, b) => a * b, 1)) }) }];
    });
    if (extra) tensors.push({ name: extra, shape: [1], data: new Float32Array(1) });
    writeFileSync(join(dir, 'lab_peft.json'), JSON.stringify({ format: LAB_FORMAT, version: 1, peft }));
    writeFileSync(join(dir, 'lab_adapter.safetensors'), writeSafeTensors(tensors));
    return dir;
  }
  const evalWith = (adapter: string) => lab('eval', '--model', MODEL, '--adapter', adapter, '--data', 'public/sample/valid.jsonl');
  const first = 'encoder.layer.0.attention.self.query.lora_A.weight';

  it('a longer, a shorter, an I32 tensor and an unknown name are one-line errors, not an MRR', async () => {
    const longer = await evalWith(adapterDir((n, s) => (n === first ? { shape: [s[0]! + 1, s[1]!], data: new Float32Array((s[0]! + 1) * s[1]!) } : null)));
    expect(longer.stderr.trim()).toMatch(/^lab: --adapter .*lora_A\.weight" has shape \(3, \d+\), the configuration needs \(2, \d+\)/);
    const shorter = await evalWith(adapterDir((n, s) => (n === first ? { shape: [1, s[1]!], data: new Float32Array(s[1]!) } : null)));
    expect(shorter.stderr).toMatch(/has shape \(1, \d+\), the configuration needs \(2, \d+\)/);
    const ints = await evalWith(adapterDir((n, s) => (n === first ? { shape: [...s], data: new Int32Array(s[0]! * s[1]!), dtype: 'I32' } : null)));
    expect(ints.stderr).toMatch(/lora_A\.weight" is I32, not a floating-point tensor/);
    const unknown = await evalWith(adapterDir(() => null, 'encoder.layer.0.attention.self.query.lora_C.weight'));
    expect(unknown.stderr).toMatch(/unexpected tensor "encoder\.layer\.0\.attention\.self\.query\.lora_C\.weight"/);
    for (const r of [longer, shorter, ints, unknown]) {
      expect(r.code).not.toBe(0);
      expect(r.code).not.toBe(70);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it("an --init model folder whose model.safetensors holds an I32 weight is refused like a base model's", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-init-'));
    const file = readSafeTensors(new Uint8Array(readFileSync(join(MODEL, 'model.safetensors'))), 'model.safetensors');
    const tensors = [...file.tensors].map(([name, t]) => (name.endsWith('pooler.dense.bias') ? { name, shape: t.shape, data: new Int32Array(t.shape[0]!) } : { name, shape: t.shape, data: t.data as Float32Array }));
    writeFileSync(join(dir, 'model.safetensors'), writeSafeTensors(tensors));
    const r = await lab('train', '--model', MODEL, '--train', 'public/sample/valid.jsonl', '--init', dir, '--out', join(dir, 'out'), '--steps', '1');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^lab: --init .*pooler\.dense\.bias has dtype I32; weights must be floating point$/);
  });
});

describe('pre-flight in the CLI', () => {
  it('a run over --memory-budget is refused before anything is allocated or written, with the batch that fits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-preflight-'));
    const args = ['train', '--model', MODEL, '--train', 'public/sample/train.jsonl', '--out', join(dir, 'run'), '--steps', '1', '--code-length', '64', '--nl-length', '32', '--software-gpu'];
    const none = await lab(...args, '--batch-size', '8', '--memory-budget', '0.000001');
    expect(none.code).toBe(2);
    expect(none.stderr.trim().split('\n').at(-1)).toMatch(/^lab: the run does not fit: the run needs \d+ MiB at its peak, more than the memory budget of 0 MiB\. Nothing fits: /);
    expect(existsSync(join(dir, 'run'))).toBe(false);
    // A budget between batch 8's peak and a smaller batch's: the message names the largest batch that fits.
    const cfg = configFromHf(JSON.parse(readFileSync(join(MODEL, 'config.json'), 'utf8')));
    const peft = parsePeftConfig({ methods: [{ type: 'lora' }] }, cfg);
    const peak = async (b: number) => (await planStepMemory(cfg, peft, { ...DEFAULT_RECIPE, batchSize: b, codeLength: 64, nlLength: 32, evalBatchSize: Math.min(DEFAULT_RECIPE.evalBatchSize, b) })).total;
    const budget = ((await peak(4)) + (await peak(5))) / 2 / 2 ** 30;
    const four = await lab(...args, '--batch-size', '8', '--memory-budget', String(budget));
    expect(four.stderr).toMatch(/The largest batch that fits is --batch-size 4\.$/m);
  });
});
