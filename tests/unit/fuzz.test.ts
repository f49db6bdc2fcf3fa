/**
 * Property-based fuzzing (fast-check, fixed seeds, bounded runs) of every parser a stranger's file reaches:
 * safetensors, torch .bin (zip and legacy pickle), lab checkpoints, config.json, tokenizer files, peft and
 * lab method configs, matmul tuning tables, dataset shards (JSONL, gzip, JSON, Parquet), share links, stored
 * runs and the stored workspace. Inputs are valid files with random byte edits (flips, cuts, splices, duplications) or arbitrary JSON.
 * Each must either parse or throw the lab's own typed error for that format — never a TypeError, RangeError or
 * out-of-memory — finish quickly (a stated bound per input, far above the milliseconds they take) and grow the
 * process's resident memory by no more than a stated bound relative to the input's size.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { decodeShareHash } from '../../src/app/lib/share';
import { sortStored } from '../../src/app/lib/stored_runs';
import { parseWorkspace } from '../../src/app/lib/workspace';
import { readShard, sourceFromBytes } from '../../src/engine/data';
import { DataError } from '../../src/engine/data/types';
import { GpuError } from '../../src/engine/gpu/errors';
import { CheckpointError, loadCheckpoint } from '../../src/engine/io/checkpoint';
import { readSafeTensors, SafeTensorsError } from '../../src/engine/io/safetensors';
import { TokenizerError, tokenizerFromJson, tokenizerFromVocabMerges } from '../../src/engine/io/tokenizer';
import { parseMatmulTuning } from '../../src/engine/kernels/matmul_tiles';
import { configFromHf, ModelConfigError } from '../../src/engine/model/config';
import { ConfigError } from '../../src/engine/peft/fields';
import { parsePeftConfig } from '../../src/engine/peft/parse';
import { CheckpointError as RunCheckpointError, decodeCheckpoint, encodeCheckpoint } from '../../src/engine/train/checkpoint';

const SEED = 20261206;
const RUNS = 150;
/** Per input: generous against the milliseconds each takes, tight against a hang or a runaway allocation. */
const MS_PER_INPUT = 2000;

const file = (...p: string[]): Uint8Array => new Uint8Array(readFileSync(join(...p)));
const model = configFromHf(JSON.parse(readFileSync('public/sample/model/config.json', 'utf8')));

type Edit = { kind: 'flip'; at: number; value: number } | { kind: 'cut'; at: number } | { kind: 'splice'; at: number; bytes: Uint8Array } | { kind: 'repeat'; from: number; to: number; at: number };

const edits = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 16 }) }),
    fc.record({ kind: fc.constant('repeat' as const), from: fc.nat(), to: fc.nat(), at: fc.nat() }),
  ),
  { minLength: 1, maxLength: 6 },
);

/** A valid file with byte edits applied; a header's first bytes are favoured, where parsers decide the most. */
function mutate(bytes: Uint8Array, list: readonly Edit[]): Uint8Array {
  let b = bytes;
  for (const e of list) {
    const pos = (n: number): number => (b.length === 0 ? 0 : n % 3 === 0 ? n % Math.min(b.length, 512) : n % b.length);
    if (e.kind === 'flip' && b.length > 0) (b = Uint8Array.from(b))[pos(e.at)] = e.value;
    else if (e.kind === 'cut') b = b.subarray(0, pos(e.at));
    else if (e.kind === 'splice') b = concat(b.subarray(0, pos(e.at)), e.bytes, b.subarray(pos(e.at)));
    else if (e.kind === 'repeat' && b.length > 0) {
      const [s, t] = [pos(e.from), pos(e.to)].sort((x, y) => x - y) as [number, number];
      b = concat(b.subarray(0, pos(e.at)), b.subarray(s, Math.min(t, s + 4096)), b.subarray(pos(e.at)));
    }
  }
  return b;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

/**
 * What one input may add to the process's resident memory: a floor for the parser's own working set, plus a
 * multiple of the input's size (an f16 tensor decodes to twice its bytes as f32, a gzip shard inflates) —
 * the problems fixed in issue 12 took thousands of times their input (a 1.27 MB file, 3.1 GB).
 */
const MEMORY_FLOOR = 96 * 2 ** 20;
const MEMORY_PER_INPUT_BYTE = 16;
const MAX_EDIT_GROWTH = 6 * 4096 + 6 * 16;

function memoryBound(inputBytes: number): number {
  return MEMORY_FLOOR + MEMORY_PER_INPUT_BYTE * (inputBytes + MAX_EDIT_GROWTH);
}

/** Runs `parse`; passes when it returns or throws one of `allowed`, within the time and memory bounds. */
function expectTyped(parse: () => unknown, allowed: readonly (abstract new (...args: never[]) => Error)[], inputBytes = 0): void {
  const started = Date.now();
  const rss = process.memoryUsage.rss();
  try {
    parse();
  } catch (error) {
    if (!allowed.some((E) => error instanceof E)) throw error;
  }
  expect(Date.now() - started).toBeLessThan(MS_PER_INPUT);
  expect(process.memoryUsage.rss() - rss).toBeLessThan(memoryBound(inputBytes));
}

async function expectTypedAsync(parse: () => Promise<unknown>, allowed: readonly (abstract new (...args: never[]) => Error)[], inputBytes = 0): Promise<void> {
  const started = Date.now();
  const rss = process.memoryUsage.rss();
  try {
    await parse();
  } catch (error) {
    if (!allowed.some((E) => error instanceof E)) throw error;
  }
  expect(Date.now() - started).toBeLessThan(MS_PER_INPUT);
  expect(process.memoryUsage.rss() - rss).toBeLessThan(memoryBound(inputBytes));
}

const options = { seed: SEED, numRuns: RUNS };

describe('fuzz: the bounds themselves', () => {
  it('a parser that holds 300 MiB for a tiny input fails the memory bound (the measurement sees what it guards)', () => {
    let held: Uint8Array | null = null;
    expect(() => expectTyped(() => (held = new Uint8Array(300 * 2 ** 20).fill(1)), [], 16)).toThrow(/expected \d+ to be less than/);
    expect(held).not.toBeNull();
    held = null;
  });
});

describe('fuzz: weights files', () => {
  it.each([
    ['model.safetensors', file('public/sample/model/model.safetensors')],
    ['tiny.safetensors', file('tests/fixtures/torch/tiny.safetensors')],
    ['tiny_zip.bin', file('tests/fixtures/torch/tiny_zip.bin')],
    ['tiny_legacy.bin', file('tests/fixtures/torch/tiny_legacy.bin')],
    ['tiny_views.bin', file('tests/fixtures/torch/tiny_views.bin')],
  ])('%s with random edits: parsed, or a CheckpointError', (name, bytes) => {
    fc.assert(fc.property(edits, (list) => expectTyped(() => loadCheckpoint(mutate(bytes, list), name), [CheckpointError], bytes.length)), options);
  });

  it('safetensors read directly: parsed, or a SafeTensorsError', () => {
    const bytes = file('tests/fixtures/torch/tiny.safetensors');
    fc.assert(fc.property(edits, (list) => expectTyped(() => readSafeTensors(mutate(bytes, list), 'x.safetensors'), [SafeTensorsError], bytes.length)), options);
  });

  it('a lab checkpoint with random edits: decoded, or a checkpoint / safetensors error', () => {
    const state = { step: 3, adamSteps: { decay: 3 }, flat: { params: new Float32Array(8).fill(1), m: new Float32Array(8), v: new Float32Array(8) }, best: null };
    const bytes = encodeCheckpoint({ state, fingerprint: { seed: 1 } });
    fc.assert(fc.property(edits, (list) => expectTyped(() => decodeCheckpoint(mutate(bytes, list), 'checkpoint.safetensors'), [RunCheckpointError, SafeTensorsError], bytes.length)), options);
  });
});

describe('fuzz: JSON a stranger writes', () => {
  const json = fc.jsonValue({ maxDepth: 4 });
  const sample = JSON.parse(readFileSync('public/sample/model/config.json', 'utf8')) as Record<string, unknown>;

  it('config.json: arbitrary JSON and the sample config with random values', () => {
    fc.assert(fc.property(json, (v) => expectTyped(() => configFromHf(v), [ModelConfigError])), options);
    const key = fc.constantFrom(...Object.keys(sample), '__proto__', 'constructor');
    fc.assert(fc.property(key, json, (k, v) => expectTyped(() => configFromHf({ ...sample, [k]: v }), [ModelConfigError])), options);
  });

  it('peft adapter_config.json and the lab method JSON', () => {
    fc.assert(fc.property(json, (v) => expectTyped(() => parsePeftConfig(v, model), [ConfigError])), options);
    const peftType = fc.constantFrom('LORA', 'IA3', 'PREFIX_TUNING', 'LOHA', '');
    const field = fc.constantFrom('r', 'lora_alpha', 'target_modules', 'exclude_modules', 'feedforward_modules', 'rank_pattern', 'layers_to_transform', 'num_virtual_tokens', 'use_rslora');
    fc.assert(fc.property(peftType, fc.dictionary(field, json), (t, rest) => expectTyped(() => parsePeftConfig({ peft_type: t, ...rest }, model), [ConfigError])), options);
    const type = fc.constantFrom('lora', 'adapter', 'prefix', 'telly', 'lwo', 'ia3', 'full', 'bitfit');
    const methodField = fc.constantFrom('r', 'alpha', 'targets', 'size', 'placement', 'length', 'projection', 'k', 'group', 'feedforward', 'layers', 'rankPattern');
    fc.assert(fc.property(fc.array(fc.tuple(type, fc.dictionary(methodField, json)), { maxLength: 3 }), json, (methods, layers) => expectTyped(() => parsePeftConfig({ methods: methods.map(([t, f]) => ({ ...f, type: t })), layers }, model), [ConfigError])), options);
  });

  it('tokenizer files: vocab.json / merges.txt and tokenizer.json', () => {
    const vocab = JSON.parse(readFileSync('public/sample/model/vocab.json', 'utf8')) as Record<string, number>;
    const merges = readFileSync('public/sample/model/merges.txt', 'utf8').split('\n');
    fc.assert(fc.property(json, fc.array(fc.string(), { maxLength: 5 }), (v, m) => expectTyped(() => tokenizerFromVocabMerges(v as Record<string, number>, m), [TokenizerError])), options);
    fc.assert(fc.property(fc.string({ maxLength: 8 }), json, (k, v) => expectTyped(() => tokenizerFromVocabMerges({ ...vocab, [k]: v } as Record<string, number>, merges), [TokenizerError])), { ...options, numRuns: 40 });
    fc.assert(fc.property(json, (v) => expectTyped(() => tokenizerFromJson(v), [TokenizerError])), options);
  });

  it('matmul tuning tables', () => {
    fc.assert(fc.property(json, (v) => expectTyped(() => parseMatmulTuning(v, 'tuning.json'), [GpuError])), options);
  });

  it('share links and stored runs never throw', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => expectTyped(() => decodeShareHash(`#cfg=1.${s}`), [])), options);
    fc.assert(fc.property(fc.array(json, { maxLength: 5 }), fc.array(json, { maxLength: 5 }), (runs, curves) => expectTyped(() => sortStored(runs, curves), [])), options);
  });

  it('the stored workspace: never throws, and what it yields is bounded and well-formed', () => {
    const shard = fc.record({ id: fc.oneof(fc.string({ maxLength: 120 }), json), name: fc.oneof(fc.string(), json), size: json, source: fc.constantFrom('stored', 'sample', 'other') });
    const plan = fc.record({ data: fc.oneof(json, fc.record({ train: fc.string({ maxLength: 4 }), valid: fc.oneof(json, fc.record({ kind: fc.constantFrom('none', 'shard', 'split'), id: fc.string(), fraction: fc.double(), seed: fc.integer() })), validLimit: json })), fromAdapter: json });
    const workspace = fc.record({ model: json, shards: fc.array(fc.oneof(shard, json), { maxLength: 80 }), roles: json, plans: fc.dictionary(fc.string({ maxLength: 4 }), plan), checkpointEvery: json, config: json }, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.oneof(json, workspace), (v) => {
        let out: ReturnType<typeof parseWorkspace> = null;
        expectTyped(() => (out = parseWorkspace(v)), []);
        const w = out as ReturnType<typeof parseWorkspace>;
        if (!w) return;
        expect(w.shards.length).toBeLessThanOrEqual(64);
        expect(new Set(w.shards.map((x) => x.id)).size).toBe(w.shards.length);
        for (const p of Object.values(w.plans)) expect(w.shards.map((x) => x.id)).toContain(p.data.train);
        expect(Number.isSafeInteger(w.checkpointEvery) && w.checkpointEvery >= 0).toBe(true);
      }),
      options,
    );
  });
});

describe('fuzz: dataset shards', () => {
  const shards: [string, Uint8Array][] = [
    ['train.jsonl', file('tests/fixtures/data/csn_python_train.jsonl').subarray(0, 20_000)],
    ['train.jsonl.gz', gzipSync(file('tests/fixtures/data/csn_python_train.jsonl').subarray(0, 20_000))],
    ['cosqa_train.json', file('tests/fixtures/data/cosqa_train.json').subarray(0, 20_000)],
    ['cosqa.parquet', file('tests/fixtures/data/cosqa.parquet')],
  ];
  it.each(shards)('%s with random edits: read, or a DataError', async (name, bytes) => {
    // Without patches/hyparquet+*.patch (applied by `npm ci`'s postinstall) a corrupt page hangs the reader,
    // and this test with it: fail at once and say why instead.
    expect(readFileSync('node_modules/hyparquet/src/encoding.js', 'utf8'), 'patch-package has not patched hyparquet: run npm ci (or npx patch-package)').toContain('parquet RLE run of length 0');
    await fc.assert(fc.asyncProperty(edits, (list) => expectTypedAsync(() => readShard(sourceFromBytes(name, mutate(bytes, list))), [DataError], bytes.length)), { ...options, numRuns: 150 });
  });
});
