import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { PickleDict, PickleError, PickleTuple, unpickle, type PickleValue } from '../../src/engine/io/pickle';
import { readSafeTensors } from '../../src/engine/io/safetensors';
import { readTorchLegacy, readTorchZip, TorchFileError, type TorchTensor } from '../../src/engine/io/torch_bin';
import { readZipDirectory } from '../../src/engine/io/zip';

const DIR = join(__dirname, '..', 'fixtures', 'torch');
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(DIR, name)));
/** What the hostile fixtures would create if anything in them ran. */
const MARKER = '/tmp/engI-PWNED';
const base = readSafeTensors(fixture('tiny.safetensors')).tensors;

const hex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g)!.map((b) => parseInt(b, 16)));
const cat = (...parts: (Uint8Array | number[] | string)[]): Uint8Array => {
  const arrays = parts.map((p) => (typeof p === 'string' ? new TextEncoder().encode(p) : Uint8Array.from(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  arrays.reduce((at, a) => (out.set(a, at), at + a.length), 0);
  return out;
};
const repeat = (unit: number[], n: number): Uint8Array => {
  const out = new Uint8Array(unit.length * n);
  for (let i = 0; i < n; i++) out.set(unit, i * unit.length);
  return out;
};
const u32 = (n: number): number[] => [n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255];
const uni = (s: string): Uint8Array => cat([0x58, ...u32(new TextEncoder().encode(s).length)], s); // BINUNICODE
const run = (bytes: Uint8Array, limits = {}): PickleValue => unpickle(bytes, 0, { what: 'x.pkl', globals: new Map(), ...limits }).value;

function expectSame(got: TorchTensor | undefined, name: string): void {
  const want = base.get(name)!;
  expect(got, name).toBeDefined();
  expect(got!.shape, name).toEqual(want.shape);
  expect(got!.data, name).toEqual(want.data);
}

describe('pickle VM', () => {
  it('decodes the values torch and Python write (protocol 2 and 4: ints, longs, floats, strings, tuples, memo)', () => {
    const want = [1, -2, 300, 70000, -(2 ** 40), 2n ** 70n, 1.5, true, false, null, 'ü'];
    const p2 = run(hex('80027d710058010000006171015d7102284b014afeffffff4d2c014a701101008a060000000000ff8a09000000000000000040473ff800000000000088894e5802000000c3bc71034b018571044b014b028671054b014b024b03877106297d710758010000006b710858010000007671097365732e'));
    const p4 = run(hex('80049562000000000000007d948c0161945d94284b014afeffffff4d2c014a701101008a060000000000ff8a09000000000000000040473ff800000000000088894e8c02c3bc9443020102944b0185944b014b0286944b014b024b038794297d948c016b948c0176947365732e'));
    for (const [v, extra] of [[p2, 0], [p4, 1]] as const) {
      expect(v).toBeInstanceOf(PickleDict);
      const list = (v as PickleDict).entries.get('a') as PickleValue[];
      expect(list.slice(0, want.length)).toEqual(want);
      if (extra) expect(list[want.length]).toEqual(Uint8Array.from([1, 2]));
      const tuples = list.slice(want.length + extra, want.length + extra + 4).map((t) => (t as PickleTuple).items);
      expect(tuples).toEqual([[1], [1, 2], [1, 2, 3], []]);
      expect((list.at(-1) as PickleDict).entries.get('k')).toBe('v');
    }
    const shared = run(hex('80025d7100285d7101284b014b02656801652e')) as PickleValue[]; // [r, r]: one object via the memo
    expect(shared[0]).toBe(shared[1]);
  });

  it('refuses every global not on the allowlist, naming it, whatever opcode names it', () => {
    expect(() => run(cat([0x80, 2], 'cos\nsystem\n', uni('echo hi'), [0x85, 0x52, 0x2e]))).toThrow(/asks to run os\.system; the lab refuses to load checkpoints that contain code/);
    expect(() => run(cat([0x80, 4], uni('subprocess'), uni('Popen'), [0x93, 0x2e]))).toThrow(/asks to run subprocess\.Popen/); // STACK_GLOBAL
    expect(() => run(cat([0x80, 2, 0x28], uni('id'), 'iposix\nsystem\n.'))).toThrow(/asks to run posix\.system/); // INST
    expect(() => run(cat([0x80, 2], 'c__builtin__\ngetattr\n.'))).toThrow(/asks to run __builtin__\.getattr/);
    expect(() => run(cat([0x80, 2], 'ctorch.storage\n_load_from_bytes\n.'))).toThrow(/uses torch\.storage\._load_from_bytes, which the lab does not read/);
  });

  it('stops hostile pickles quickly: op, memo, stack and mark caps, huge lengths, deep nesting', () => {
    const spin = cat([0x80, 2], repeat([0x4e, 0x30], 50_000), [0x4e, 0x2e]); // NONE, POP, NONE, POP, ...
    expect(() => run(spin, { maxOps: 10_000 })).toThrow(/more than 10000 operations/);
    const memo = cat([0x80, 2, 0x5d], ...Array.from({ length: 5_000 }, (_, i) => [0x72, ...u32(i * 7919)]), [0x2e]); // LONG_BINPUT i
    expect(() => run(memo, { maxMemo: 1_000 })).toThrow(/memoizes more than 1000 values/);
    expect(run(cat([0x80, 2, 0x5d, 0x72, 0xff, 0xff, 0xff, 0xff, 0x2e]))).toEqual([]); // slot 2^32-1 costs one entry
    expect(() => run(cat([0x80, 2], repeat([0x5d], 5_000), [0x2e]), { maxStack: 1_000 })).toThrow(/stack grows past 1000/);
    expect(() => run(cat([0x80, 2], repeat([0x28], 5_000), [0x2e]))).toThrow(/more than 1000 marks/);
    expect(() => run(cat([0x80, 2, 0x58, 0xff, 0xff, 0xff, 0x7f, 0x2e]))).toThrow(/ends early.*truncated/); // a 2 GB string
    expect(() => run(cat([0x80, 2, 0x8b, 0xff, 0xff, 0xff, 0x00, 0x2e]))).toThrow(/integer of 16777215 bytes/);
    // A list nested 300,000 deep (memo trick: L = [L_prev]) builds and is rejected without recursing.
    const deep = cat([0x80, 2, 0x5d, 0x71, 0], repeat([0x5d, 0x68, 0, 0x61, 0x71, 0], 300_000), [0x2e]);
    const started = performance.now();
    expect(() => readTorchLegacy(deep, 'deep.bin')).toThrow(/not a PyTorch checkpoint/);
    expect(performance.now() - started).toBeLessThan(5_000);
    const cyclic = run(cat([0x80, 2, 0x5d, 0x71, 0, 0x68, 0, 0x61, 0x2e])) as PickleValue[]; // L.append(L)
    expect(cyclic[0]).toBe(cyclic);
  });
});

describe('hostile checkpoints', () => {
  beforeEach(() => rmSync(MARKER, { force: true }));

  it('refuses os.system in a zip checkpoint and runs nothing', () => {
    expect(() => readTorchZip(fixture('evil_os_system.bin'), 'evil_os_system.bin')).toThrow(PickleError);
    expect(() => readTorchZip(fixture('evil_os_system.bin'), 'evil_os_system.bin')).toThrow(/evil_os_system\.bin: this file asks to run os\.system/);
    expect(existsSync(MARKER)).toBe(false);
  });

  it('refuses builtins.eval in a bare pickle and runs nothing', () => {
    expect(() => readTorchLegacy(fixture('evil_builtins_eval.pkl'), 'evil.pkl')).toThrow(/evil\.pkl: this file asks to run builtins\.eval; the lab refuses/);
    expect(existsSync(MARKER)).toBe(false);
  });
});

describe('torch .bin readers', () => {
  it('reads the zip form to the same values as safetensors (prefix, gamma/beta, I64 buffer, head)', () => {
    const t = readTorchZip(fixture('tiny_zip.bin'), 'tiny_zip.bin');
    const stored = (n: string): string => `roberta.${n.replace('embeddings.LayerNorm.weight', 'embeddings.LayerNorm.gamma').replace('embeddings.LayerNorm.bias', 'embeddings.LayerNorm.beta')}`;
    for (const name of base.keys()) expectSame(t.get(stored(name)), name);
    expect(t.has('roberta.embeddings.LayerNorm.gamma')).toBe(true);
    const ids = t.get('roberta.embeddings.position_ids')!;
    expect(ids.dtype).toBe('I64');
    expect(ids.shape).toEqual([1, 24]);
    expect([...ids.data]).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect(t.get('classifier.out_proj.weight')!.data).toEqual(new Float32Array(64).fill(0.5));
  });

  it('reads the legacy form (nn.Parameters with backward hooks included)', () => {
    const t = readTorchLegacy(fixture('tiny_legacy.bin'), 'tiny_legacy.bin');
    expect([...t.keys()]).toEqual([...base.keys()]);
    for (const name of base.keys()) expectSame(t.get(name), name);
  });

  it('gathers views: fused q/k/v slices, a transpose, a column slice, a stride-2 slice, tied weights', () => {
    const t = readTorchZip(fixture('tiny_views.bin'), 'tiny_views.bin');
    for (const name of base.keys()) expectSame(t.get(`bert.${name}`), name);
    expectSame(t.get('cls.predictions.decoder.weight'), 'embeddings.word_embeddings.weight');
  });

  it('widens F16 exactly (every value is the half-precision rounding of the F32 weight)', () => {
    const t = readTorchZip(fixture('tiny_f16.bin'), 'tiny_f16.bin');
    for (const [name, want] of base) {
      const got = t.get(name)!;
      expect(got.dtype).toBe('F16');
      expect(got.data, name).toEqual(Float32Array.from(want.data, roundToHalf));
    }
  });

  it('reads BF16, F64, integer and bool storages, a 0-d tensor and a permuted 3-D view', () => {
    const t = readTorchZip(fixture('dtypes.bin'), 'dtypes.bin');
    expect([...t.get('bf16')!.data]).toEqual([1.5, -2, 0.25, 3.00405527047391e38, -0.00099945068359375]);
    expect(t.get('f64')!.data).toEqual(Float32Array.from([0.1, -2.5, 1e-8, 123456.789]));
    expect([...t.get('i64')!.data]).toEqual([0, -1, 2147483647, -2147483648, 42]);
    expect([...t.get('i32')!.data]).toEqual([7, -7, 65536]);
    expect([...t.get('u8')!.data]).toEqual([0, 1, 255]);
    expect(t.get('bool')).toMatchObject({ dtype: 'BOOL', data: Int32Array.from([1, 0, 1]) });
    expect(t.get('f16_scalar')).toMatchObject({ dtype: 'F16', shape: [], data: Float32Array.from([-0.5]) });
    const permuted = t.get('permuted')!; // (4, 2, 3) = arange(24).reshape(2, 3, 4).permute(2, 0, 1)
    expect(permuted.shape).toEqual([4, 2, 3]);
    expect([...permuted.data]).toEqual(Array.from({ length: 24 }, (_, n) => Math.floor(n / 6) + (Math.floor(n / 3) % 2) * 12 + (n % 3) * 4));
  });

  it('reads an archive written on a big-endian host (byteorder entry)', () => {
    const t = readTorchZip(fixture('bigendian.bin'), 'be.bin');
    expect(t.get('f')).toMatchObject({ dtype: 'F32', data: Float32Array.from([1.5, -2, 3.25]) });
    expect(t.get('h')).toMatchObject({ dtype: 'F16', data: Float32Array.from([0.5, -1]) });
    expect(t.get('i')).toMatchObject({ dtype: 'I64', data: Int32Array.from([1, -2, 300]) });
  });

  it('names the storage a truncated zip ends in, and the tensor that uses it', () => {
    const bytes = fixture('tiny_zip.bin');
    const entries = [...readZipDirectory(bytes, 'z')!.values()];
    const target = entries.find((e) => e.name.endsWith('/data/7'))!;
    const cut = bytes.subarray(0, target.dataStart + 10);
    expect(() => readTorchZip(cut, 'cut.bin')).toThrow(/cut\.bin: storage "7" \(used by roberta\.[\w.]+\) is short: 10 of its \d+ bytes are present \(the file is truncated: download it again\)/);
    const beforeTarget = bytes.subarray(0, target.dataStart - 40); // ends in a local header: storage 7 absent
    expect(() => readTorchZip(beforeTarget, 'cut.bin')).toThrow(/storage "7" \(used by roberta\.[\w.]+\) is (missing|short)/);
    expect(() => readTorchZip(bytes.subarray(0, 200), 'cut.bin')).toThrow(/ends inside "tiny_zip\/data\.pkl" \(the file is truncated/);
  });

  it('names the storage a truncated legacy file ends in', () => {
    const bytes = fixture('tiny_legacy.bin');
    expect(() => readTorchLegacy(bytes.subarray(0, bytes.length - 100), 'old.bin')).toThrow(/old\.bin: storage "\d+" \(used by [\w.]+\) is short: \d+ of its \d+ bytes are present \(the file is truncated/);
    expect(() => readTorchLegacy(bytes.subarray(0, 500), 'old.bin')).toThrow(/old\.bin: the pickle ends early.*truncated/);
  });

  it('reports a missing storage entry, a compressed entry and a non-dict pickle clearly', () => {
    expect(() => readTorchZip(fixture('bad_missing_storage.bin'), 'm.bin')).toThrow(/m\.bin: storage "1" \(used by b\) is missing from the archive/);
    expect(() => readTorchZip(fixture('bad_deflated.bin'), 'd.bin')).toThrow(/d\.bin: ".*data\.pkl" is compressed \(zip method 8\).*re-save/);
    expect(() => readTorchLegacy(cat([0x80, 2, 0x5d, 0x2e]), 'l.bin')).toThrow(/l\.bin: starts with a pickle that is not a PyTorch checkpoint/);
  });

  it('refuses a broadcast view that would decode to far more data than the file holds', () => {
    // The legacy header of a real file, then a state dict whose tensor has size (10^9) and stride (0).
    const real = fixture('tiny_legacy.bin');
    let at = 0;
    for (let i = 0; i < 3; i++) at = unpickle(real, at, { what: 'h', globals: new Map() }).end;
    const rebuild = cat('ctorch._utils\n_rebuild_tensor_v2\n(', '(', uni('storage'), 'ctorch\nFloatStorage\n', uni('0'), uni('cpu'), [0x4b, 1, 0x74, 0x51]);
    const tensor = cat(rebuild, [0x4b, 0], [0x4a, ...u32(1e9), 0x85, 0x4b, 0, 0x85, 0x89, 0x74, 0x52]);
    const state = cat([0x80, 2, 0x7d], uni('w'), tensor, [0x73, 0x2e], [0x80, 2, 0x5d], uni('0'), [0x61, 0x2e]);
    const file = cat(real.subarray(0, at), state, [1, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0x80, 0x3f]);
    expect(() => readTorchLegacy(file, 'bomb.bin')).toThrow(TorchFileError);
    expect(() => readTorchLegacy(file, 'bomb.bin')).toThrow(/would need 1000000000 values from storages holding 1/);
  });
});

/** Round-to-nearest-even onto the float16 grid (normal and subnormal ranges), independently of the reader. */
function roundToHalf(x: number): number {
  if (x === 0) return x;
  const a = Math.abs(x);
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  const ulp = 2 ** (Math.max(e, -14) - 10);
  const q = a / ulp;
  const f = Math.floor(q);
  const r = q - f > 0.5 || (q - f === 0.5 && f % 2 === 1) ? f + 1 : f;
  return Math.sign(x) * r * ulp;
}
