/**
 * PyTorch `.bin` checkpoints (torch.save of a state dict), read without running anything from the file.
 *
 * Zip form (torch >= 1.6): `<root>/data.pkl` (the state dict, pickled) + `<root>/data/<key>` (one raw storage
 * per key) + optional `<root>/byteorder`. Legacy form: five pickles back to back (magic number, protocol
 * version, sys info, the state dict, the sorted storage keys), then per key an 8-byte element count and the
 * storage's bytes. Either way the pickle yields tensor descriptions
 * `_rebuild_tensor_v2(storage, offset, size, stride, ...)`; each tensor is then gathered from its storage's
 * bytes in the file (a view of the input, never a copy of it), so views and shared storages cost nothing extra.
 */
import { PickleDict, PickleGlobal, PickleTuple, describe, unpickle, type HostObject, type PickleValue } from './pickle';
import { bf16ToFloat, halfToFloat } from './safetensors';
import { entryData, readZipDirectory, scanLocalEntries } from './zip';

export type TorchDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

export interface TorchTensor {
  readonly dtype: TorchDType;
  readonly shape: readonly number[];
  /** Floats widened to f32; integers and bools as Int32 (an I64 value that does not fit fails the read). */
  readonly data: Float32Array | Int32Array;
}

export class TorchFileError extends Error {
  constructor(what: string, message: string) {
    super(`${what}: ${message}`);
    this.name = 'TorchFileError';
  }
}

/** torch's legacy magic number: the first pickle of a legacy file is this integer. */
export const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001;

const STORAGE_TYPES: Readonly<Record<string, readonly [TorchDType, number]>> = {
  DoubleStorage: ['F64', 8],
  FloatStorage: ['F32', 4],
  HalfStorage: ['F16', 2],
  BFloat16Storage: ['BF16', 2],
  LongStorage: ['I64', 8],
  IntStorage: ['I32', 4],
  ShortStorage: ['I16', 2],
  CharStorage: ['I8', 1],
  ByteStorage: ['U8', 1],
  BoolStorage: ['BOOL', 1],
};

/** A storage the pickle refers to; `elementOffset` is non-zero only for the legacy format's storage views. */
class StorageRef implements HostObject {
  readonly hostKind = 'storage';
  constructor(
    readonly key: string,
    readonly dtype: TorchDType,
    readonly elementSize: number,
    readonly numel: number,
    readonly elementOffset: number,
  ) {}
}

class TensorRef implements HostObject {
  readonly hostKind = 'tensor';
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly size: readonly number[],
    readonly stride: readonly number[],
  ) {}
}

const MAX_RANK = 64;
/** Views may repeat a storage's data (tied embeddings do, twice); more than this is a memory bomb. */
const MAX_REPEAT = 4;

function ints(v: PickleValue, what: string): number[] {
  const items = v instanceof PickleTuple ? v.items : Array.isArray(v) ? v : null;
  if (items === null || !items.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0)) {
    throw new Error(`${what} is a ${describe(v)}, not a tuple of non-negative integers`);
  }
  return items as number[];
}

function rebuildTensor(args: readonly PickleValue[]): TensorRef {
  const [storage, offset, size, stride] = args;
  if (!(storage instanceof StorageRef)) throw new Error(`expects a storage, got a ${describe(storage ?? null)}`);
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) throw new Error('the storage offset is not a non-negative integer');
  const shape = ints(size ?? null, 'size');
  const strides = ints(stride ?? null, 'stride');
  if (shape.length !== strides.length) throw new Error(`size has ${shape.length} dimensions but stride has ${strides.length}`);
  if (shape.length > MAX_RANK) throw new Error(`the tensor has ${shape.length} dimensions; torch allows at most ${MAX_RANK}`);
  return new TensorRef(storage, offset, shape, strides);
}

function rebuildParameter(args: readonly PickleValue[]): TensorRef {
  const data = args[0];
  if (!(data instanceof TensorRef)) throw new Error(`expects a tensor, got a ${describe(data ?? null)}`);
  return data;
}

function orderedDict(args: readonly PickleValue[]): PickleDict {
  const d = new PickleDict();
  const items = args[0];
  if (args.length === 0) return d;
  if (!Array.isArray(items)) throw new Error(`expects a list of pairs, got a ${describe(items ?? null)}`);
  for (const pair of items) {
    const kv = pair instanceof PickleTuple ? pair.items : Array.isArray(pair) ? pair : [];
    const [k, v] = kv;
    if (kv.length !== 2 || typeof k !== 'string') throw new Error('expects (string, value) pairs');
    d.entries.set(k, v!);
  }
  return d;
}

/** Everything a state dict pickle may name. The "functions" are data constructors interpreted here. */
const GLOBALS: ReadonlyMap<string, PickleGlobal> = new Map(
  [
    new PickleGlobal('collections', 'OrderedDict', orderedDict),
    new PickleGlobal('torch._utils', '_rebuild_tensor_v2', rebuildTensor),
    new PickleGlobal('torch._utils', '_rebuild_tensor', rebuildTensor),
    new PickleGlobal('torch._utils', '_rebuild_parameter', rebuildParameter),
    new PickleGlobal('torch._utils', '_rebuild_parameter_with_state', rebuildParameter),
    ...Object.keys(STORAGE_TYPES).map((name) => new PickleGlobal('torch', name)),
  ].map((g) => [`${g.module} ${g.name}`, g]),
);

/** BINPERSID: `('storage', torch.XStorage, key, location, numel[, view_metadata])`; the key fixes the dtype. */
function storageLoader(what: string, seen: Map<string, StorageRef>): (pid: PickleValue) => PickleValue {
  return (pid) => {
    const items = pid instanceof PickleTuple ? pid.items : [];
    const [tag, type, key, , numel, viewMeta] = items;
    const fail = (m: string): never => {
      throw new TorchFileError(what, m);
    };
    if (tag !== 'storage' || typeof key !== 'string' || typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) return fail('a storage reference in the pickle is malformed (damaged file)');
    if (!(type instanceof PickleGlobal) || !Object.hasOwn(STORAGE_TYPES, type.name)) {
      return fail(`storage "${key}" has type ${describe(type ?? null)}, which the lab does not read`);
    }
    const [dtype, elementSize] = STORAGE_TYPES[type.name]!;
    const prior = seen.get(key);
    if (prior !== undefined && prior.dtype !== dtype) fail(`storage "${key}" is referenced as both ${prior.dtype} and ${dtype} (damaged file)`);
    const root = prior ?? new StorageRef(key, dtype, elementSize, numel, 0);
    seen.set(key, root);
    if (viewMeta === undefined || viewMeta === null) return root;
    // Legacy storage views (torch < 1.0): (view_key, element offset, element count) into the root storage.
    const [, offset, size] = viewMeta instanceof PickleTuple ? viewMeta.items : [];
    const whole = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
    if (!whole(offset) || !whole(size) || offset + size > numel) return fail(`storage view of "${key}" is malformed (damaged file)`);
    return new StorageRef(key, dtype, elementSize, size, offset);
  };
}

/** The state dict's tensors by name: the top-level dict, or a `state_dict` / `model` dict inside it. */
function stateDict(value: PickleValue, what: string): Map<string, TensorRef> {
  const tensorsOf = (d: PickleValue): Map<string, TensorRef> => {
    const out = new Map<string, TensorRef>();
    if (d instanceof PickleDict) for (const [k, v] of d.entries) if (typeof k === 'string' && v instanceof TensorRef) out.set(k, v);
    return out;
  };
  if (!(value instanceof PickleDict)) throw new TorchFileError(what, `the file holds a ${describe(value)}, not a dict of tensors (a state dict)`);
  const top = tensorsOf(value);
  if (top.size > 0) return top;
  for (const key of ['state_dict', 'model_state_dict', 'model', 'module']) {
    const inner = tensorsOf(value.entries.get(key) ?? null);
    if (inner.size > 0) return inner;
  }
  throw new TorchFileError(what, 'the file holds a dict without tensors (expected a state dict: torch.save(model.state_dict(), path))');
}

interface Parsed {
  readonly tensors: Map<string, TensorRef>;
  readonly storages: Map<string, StorageRef>;
  readonly end: number;
}

function parseStateDict(bytes: Uint8Array, start: number, what: string): Parsed {
  const storages = new Map<string, StorageRef>();
  const { value, end } = unpickle(bytes, start, { what, globals: GLOBALS, persistentLoad: storageLoader(what, storages) });
  return { tensors: stateDict(value, what), storages, end };
}

/** Which tensor uses each storage, for errors that should name something the user recognises. */
function userOf(parsed: Parsed, key: string): string {
  for (const [name, t] of parsed.tensors) if (t.storage.key === key) return ` (used by ${name})`;
  return '';
}

const TRUNCATED = 'the file is truncated: download it again';

function shortStorage(parsed: Parsed, key: string, have: number, need: number, why = TRUNCATED): string {
  return `storage "${key}"${userOf(parsed, key)} is short: ${have} of its ${need} bytes are present (${why})`;
}

export function readTorchZip(bytes: Uint8Array, what: string): Map<string, TorchTensor> {
  const entries = readZipDirectory(bytes, what);
  if (entries === null) throw new TorchFileError(what, truncatedZipMessage(bytes, what));
  const pkl = [...entries.values()].filter((e) => e.name === 'data.pkl' || e.name.endsWith('/data.pkl'));
  if (pkl.length !== 1) throw new TorchFileError(what, `is a zip archive with ${pkl.length} data.pkl entries; a PyTorch checkpoint has exactly one`);
  const root = pkl[0]!.name.slice(0, -'data.pkl'.length);
  const parsed = parseStateDict(entryData(bytes, pkl[0]!, what), 0, what);
  const order = entries.get(`${root}byteorder`);
  const little = order === undefined || new TextDecoder().decode(entryData(bytes, order, what)).trim() !== 'big';
  const data = new Map<string, Uint8Array>();
  for (const key of parsed.storages.keys()) {
    const entry = entries.get(`${root}data/${key}`);
    if (entry === undefined) throw new TorchFileError(what, `storage "${key}"${userOf(parsed, key)} is missing from the archive (damaged file: download it again)`);
    data.set(key, entryData(bytes, entry, what));
  }
  return decodeAll(parsed, data, little, what);
}

/** A zip without its directory: name the storage the file ends in (or the first one absent). */
function truncatedZipMessage(bytes: Uint8Array, what: string): string {
  const scan = scanLocalEntries(bytes);
  if (scan.complete.length === 0 && scan.partial === null) return 'is not a readable zip archive (no directory and no entries; damaged file)';
  const pkl = scan.complete.find((e) => e.name.endsWith('data.pkl'));
  if (pkl === undefined) return `ends inside "${scan.partial?.name ?? 'data.pkl'}" (${TRUNCATED})`;
  const parsed = parseStateDict(entryData(bytes, pkl, what), 0, what);
  const have = new Set(scan.complete.map((e) => e.name.slice(e.name.lastIndexOf('/data/') + 6)));
  // Torch writes storages in key order as strings (0, 1, 10, 11, ...): the one the file ends in is the
  // partial entry; if the file ends between entries, name the first absent one.
  const partialKey = scan.partial?.name.slice(scan.partial.name.lastIndexOf('/data/') + 6);
  const partial = partialKey === undefined ? undefined : parsed.storages.get(partialKey);
  if (partial !== undefined) {
    return shortStorage(parsed, partial.key, scan.partial!.available, partial.numel * partial.elementSize);
  }
  const absent = [...parsed.storages.keys()].find((key) => !have.has(key));
  if (absent !== undefined) return `storage "${absent}"${userOf(parsed, absent)} is missing (${TRUNCATED})`;
  return `has no zip directory at its end (${TRUNCATED})`;
}

export function readTorchLegacy(bytes: Uint8Array, what: string): Map<string, TorchTensor> {
  // The allowlist applies to every pickle, so a bare pickle (not a torch file) fails on its first foreign global.
  const plain = { what, globals: GLOBALS };
  const magic = unpickle(bytes, 0, plain);
  if (magic.value !== LEGACY_MAGIC) throw new TorchFileError(what, 'starts with a pickle that is not a PyTorch checkpoint (no torch magic number)');
  const protocol = unpickle(bytes, magic.end, plain);
  if (protocol.value !== LEGACY_PROTOCOL) throw new TorchFileError(what, `uses torch legacy protocol ${String(protocol.value)}; the lab reads ${LEGACY_PROTOCOL}`);
  const sysInfo = unpickle(bytes, protocol.end, plain);
  const little = !(sysInfo.value instanceof PickleDict) || sysInfo.value.entries.get('little_endian') !== false;
  const parsed = parseStateDict(bytes, sysInfo.end, what);
  const keyList = unpickle(bytes, parsed.end, plain);
  if (!Array.isArray(keyList.value) || !keyList.value.every((k) => typeof k === 'string')) throw new TorchFileError(what, 'the storage key list is damaged');
  const data = new Map<string, Uint8Array>();
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = keyList.end;
  for (const key of keyList.value as string[]) {
    const s = parsed.storages.get(key);
    if (s === undefined) throw new TorchFileError(what, `storage "${key}" is listed but no tensor uses it (damaged file)`);
    const need = s.numel * s.elementSize;
    const have = Math.max(0, bytes.byteLength - at - 8);
    if (at + 8 > bytes.byteLength || at + 8 + need > bytes.byteLength) {
      throw new TorchFileError(what, shortStorage(parsed, key, Math.min(have, need), need));
    }
    const count = Number(dv.getBigUint64(at, little));
    if (count !== s.numel) throw new TorchFileError(what, `storage "${key}" records ${count} elements but the pickle says ${s.numel} (damaged file)`);
    data.set(key, bytes.subarray(at + 8, at + 8 + need));
    at += 8 + need;
  }
  return decodeAll(parsed, data, little, what);
}

function decodeAll(parsed: Parsed, data: ReadonlyMap<string, Uint8Array>, little: boolean, what: string): Map<string, TorchTensor> {
  // Every storage is checked against the bytes really present before anything is allocated, so the
  // repeat cap below counts data the file holds, not sizes it claims.
  let stored = 0;
  for (const s of parsed.storages.values()) {
    const need = s.numel * s.elementSize;
    const bytes = data.get(s.key);
    if (bytes === undefined) throw new TorchFileError(what, `storage "${s.key}"${userOf(parsed, s.key)} is not in the file (damaged file)`);
    const have = bytes.byteLength;
    if (have < need) throw new TorchFileError(what, shortStorage(parsed, s.key, have, need, 'the file is truncated or damaged'));
    stored += s.numel;
  }
  let wanted = 0;
  for (const t of parsed.tensors.values()) wanted += t.size.reduce((a, b) => a * b, 1);
  if (wanted > MAX_REPEAT * stored + 2 ** 20) {
    const message = `its tensors would need ${wanted} values from storages holding ${stored}`;
    throw new TorchFileError(what, `${message}: views repeat the same data more than ${MAX_REPEAT} times, which the lab refuses (hostile or damaged file)`);
  }
  const out = new Map<string, TorchTensor>();
  for (const [name, t] of parsed.tensors) {
    const s = t.storage;
    const bytes = data.get(s.key)!.subarray(s.elementOffset * s.elementSize, (s.elementOffset + s.numel) * s.elementSize);
    out.set(name, { dtype: s.dtype, shape: t.size, data: gather(t, bytes, little, (m) => new TorchFileError(what, `tensor "${name}" ${m}`)) });
  }
  return out;
}

const littleEndianHost = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Reads the tensor's elements in row-major order through its strides (views, transposes, slices). */
function gather(t: TensorRef, bytes: Uint8Array, little: boolean, error: (m: string) => Error): Float32Array | Int32Array {
  const { size, stride, offset, storage } = t;
  const n = size.reduce((a, b) => a * b, 1);
  const isFloat = storage.dtype === 'F32' || storage.dtype === 'F64' || storage.dtype === 'F16' || storage.dtype === 'BF16';
  const out = isFloat ? new Float32Array(n) : new Int32Array(n);
  if (n === 0) return out;
  const last = offset + size.reduce((acc, d, i) => acc + (d - 1) * stride[i]!, 0);
  if (last >= storage.numel) throw error(`reads element ${last} of storage "${storage.key}", which holds ${storage.numel} (damaged file)`);
  const contiguous = size.every((_, i) => stride[i] === size.slice(i + 1).reduce((a, b) => a * b, 1) || size[i] === 1);
  if (contiguous && storage.dtype === 'F32' && little && littleEndianHost) {
    new Uint8Array(out.buffer).set(bytes.subarray(offset * 4, (offset + n) * 4));
    return out;
  }
  const read = elementReader(storage.dtype, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), little, error);
  const rank = size.length;
  const inner = rank === 0 ? 1 : size[rank - 1]!;
  const innerStride = rank === 0 ? 0 : stride[rank - 1]!;
  const index = new Array<number>(Math.max(0, rank - 1)).fill(0);
  let base = offset;
  for (let k = 0; k < n; k += inner) {
    for (let j = 0; j < inner; j++) out[k + j] = read(base + j * innerStride);
    // Odometer over the outer dimensions.
    for (let d = rank - 2; d >= 0; d--) {
      base += stride[d]!;
      if (++index[d]! < size[d]!) break;
      base -= stride[d]! * size[d]!;
      index[d] = 0;
    }
  }
  return out;
}

function elementReader(dtype: TorchDType, dv: DataView, le: boolean, error: (m: string) => Error): (i: number) => number {
  switch (dtype) {
    case 'F64': return (i) => dv.getFloat64(i * 8, le);
    case 'F32': return (i) => dv.getFloat32(i * 4, le);
    case 'F16': return (i) => halfToFloat(dv.getUint16(i * 2, le));
    case 'BF16': return (i) => bf16ToFloat(dv.getUint16(i * 2, le));
    case 'I32': return (i) => dv.getInt32(i * 4, le);
    case 'I16': return (i) => dv.getInt16(i * 2, le);
    case 'I8': return (i) => dv.getInt8(i);
    case 'U8': case 'BOOL': return (i) => dv.getUint8(i);
    case 'I64': return (i) => {
      const lo = dv.getUint32(i * 8 + (le ? 0 : 4), le);
      const hi = dv.getInt32(i * 8 + (le ? 4 : 0), le);
      if (hi !== (lo >= 2 ** 31 ? -1 : 0)) throw error(`holds ${(BigInt(hi) << 32n) + BigInt(lo)}, which does not fit in 32 bits`);
      return lo | 0;
    };
  }
}
