/**
 * safetensors: 8-byte little-endian header length N, N bytes of JSON
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}`, then the data (offsets relative
 * to its start). Reading validates everything against the file before touching the data, so a truncated or
 * hostile file gives one clear error instead of garbage weights.
 */

export type SafeDType = 'F32' | 'F16' | 'BF16' | 'I32' | 'I64' | 'I8' | 'BOOL';

const DTYPE_BYTES: Record<SafeDType, number> = { F32: 4, F16: 2, BF16: 2, I32: 4, I64: 8, I8: 1, BOOL: 1 };

export interface SafeTensor {
  readonly dtype: SafeDType;
  readonly shape: readonly number[];
  /** Floats widened to f32; integers as Int32 (I64 values must fit, else the read fails); BOOL as 0/1 Int32. */
  readonly data: Float32Array | Int32Array;
}

export interface SafeTensorsFile {
  readonly tensors: ReadonlyMap<string, SafeTensor>;
  readonly metadata: Readonly<Record<string, string>>;
}

export class SafeTensorsError extends Error {
  constructor(what: string, message: string) {
    super(`${what}: ${message}`);
    this.name = 'SafeTensorsError';
  }
}

interface Entry {
  readonly dtype: SafeDType;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

export function readSafeTensors(bytes: Uint8Array, what = 'safetensors file'): SafeTensorsFile {
  const fail = (message: string): never => {
    throw new SafeTensorsError(what, message);
  };
  if (bytes.byteLength < 8) fail(`only ${bytes.byteLength} bytes: too short for a safetensors header (the file is truncated or not safetensors)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > bytes.byteLength - 8 || headerLength > 100_000_000) {
    fail(`the header claims ${headerLength} bytes but the file has ${bytes.byteLength - 8} after the length (truncated, or not safetensors)`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch {
    fail('the header is not valid UTF-8 JSON (not a safetensors file?)');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('the header is not a JSON object');
  const dataStart = 8 + headerLength;
  const dataLength = bytes.byteLength - dataStart;
  let metadata: Record<string, string> = {};
  const entries: [string, Entry][] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') metadata = readMetadata(raw, fail);
    else entries.push([name, readEntry(name, raw, dataLength, fail)]);
  }
  checkDisjoint(entries, fail);
  // Disjoint ranges inside the file: what is decoded is at most twice the file (F16 → F32), whatever the header says.
  const tensors = new Map<string, SafeTensor>();
  for (const [name, entry] of entries) tensors.set(name, { dtype: entry.dtype, shape: entry.shape, data: decode(bytes, dataStart, entry, name, fail) });
  return { tensors, metadata };
}

/** The format's rule: tensors' byte ranges never overlap (a header aliasing one range many times is refused). */
function checkDisjoint(entries: readonly [string, Entry][], fail: (m: string) => never): void {
  const sorted = entries.filter(([, e]) => e.end > e.begin).sort((a, b) => a[1].begin - b[1].begin);
  for (let i = 1; i < sorted.length; i++) {
    const [prev, p] = sorted[i - 1]!;
    const [name, e] = sorted[i]!;
    if (e.begin < p.end) fail(`tensors "${prev}" and "${name}" share bytes ${e.begin}–${Math.min(p.end, e.end)} of the data: a safetensors file stores each tensor once (the file is damaged or crafted)`);
  }
}

function readMetadata(raw: unknown, fail: (m: string) => never): Record<string, string> {
  if (typeof raw !== 'object' || raw === null) fail('__metadata__ is not an object');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) out[k] = String(v);
  return out;
}

function readEntry(name: string, raw: unknown, dataLength: number, fail: (m: string) => never): Entry {
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const dtype = o.dtype;
  if (typeof dtype !== 'string' || !Object.hasOwn(DTYPE_BYTES, dtype)) fail(`tensor "${name}" has dtype ${JSON.stringify(dtype)}; the lab reads F32, F16, BF16, I32, I64, I8 and BOOL`);
  const shape = o.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) fail(`tensor "${name}" has an invalid shape`);
  const offsets = o.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((d) => Number.isInteger(d) && d >= 0)) {
    fail(`tensor "${name}" has invalid data_offsets`);
  }
  const [begin, end] = offsets as [number, number];
  const numel = (shape as number[]).reduce((a, b) => a * b, 1);
  const expected = numel * DTYPE_BYTES[dtype as SafeDType];
  if (end < begin || end - begin !== expected) fail(`tensor "${name}" spans ${end - begin} bytes but its shape needs ${expected}`);
  if (end > dataLength) fail(`tensor "${name}" ends at byte ${end} but the data section has only ${dataLength} bytes (the file is truncated)`);
  return { dtype: dtype as SafeDType, shape: shape as number[], begin, end };
}

function decode(bytes: Uint8Array, dataStart: number, e: Entry, name: string, fail: (m: string) => never): Float32Array | Int32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + dataStart + e.begin, e.end - e.begin);
  const n = (e.end - e.begin) / DTYPE_BYTES[e.dtype];
  if (e.dtype === 'BOOL') {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const v = view.getUint8(i);
      if (v > 1) fail(`tensor "${name}" is BOOL but holds the byte ${v} (only 0 and 1 are booleans)`);
      out[i] = v;
    }
    return out;
  }
  if (e.dtype === 'I8') return Int32Array.from({ length: n }, (_, i) => view.getInt8(i));
  if (e.dtype === 'I32' || e.dtype === 'I64') {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const v = e.dtype === 'I32' ? view.getInt32(i * 4, true) : Number(view.getBigInt64(i * 8, true));
      if (!Number.isSafeInteger(v) || v > 2147483647 || v < -2147483648) fail(`tensor "${name}" holds ${v}, which does not fit in 32 bits`);
      out[i] = v;
    }
    return out;
  }
  const out = new Float32Array(n);
  if (e.dtype === 'F32' && view.byteOffset % 4 === 0 && littleEndianHost) out.set(new Float32Array(view.buffer, view.byteOffset, n));
  else if (e.dtype === 'F32') for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
  else if (e.dtype === 'F16') for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
  else for (let i = 0; i < n; i++) out[i] = bf16ToFloat(view.getUint16(i * 2, true));
  return out;
}

const littleEndianHost = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

export function bf16ToFloat(bits: number): number {
  u32Scratch[0] = bits << 16;
  return f32Scratch[0]!;
}

export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

export interface TensorToWrite {
  readonly name: string;
  readonly shape: readonly number[];
  /** Float32Array → F32, Int32Array → I32, Int8Array → I8, Uint8Array (0/1 only) → BOOL. */
  readonly data: Float32Array | Int32Array | Int8Array | Uint8Array;
}

const dtypeOf = (data: TensorToWrite['data']): SafeDType => (data instanceof Float32Array ? 'F32' : data instanceof Int32Array ? 'I32' : data instanceof Int8Array ? 'I8' : 'BOOL');

/** Writes F32, I32, I8 and BOOL tensors, header padded to 8 bytes as the reference writer does. */
export function writeSafeTensors(tensors: readonly TensorToWrite[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    const bytes = t.data.byteLength;
    if (t.data instanceof Uint8Array && t.data.some((v) => v > 1)) throw new RangeError(`tensor "${t.name}": a BOOL tensor holds only 0 and 1`);
    header[t.name] = { dtype: dtypeOf(t.data), shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((new TextEncoder().encode(json).byteLength) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.byteLength;
  for (const t of tensors) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}
