/**
 * A minimal zip reader for PyTorch's archives: torch writes every entry STORED (uncompressed), so an entry's
 * data is a subarray of the file and nothing is inflated or copied. Handles zip64 (archives over 4 GB) and,
 * for truncated downloads, walks the local headers to say which entry the file ends in.
 */

export interface ZipEntry {
  readonly name: string;
  /** 0 = stored; anything else is compressed, which torch never writes. */
  readonly method: number;
  /** Offset of the entry's data in the file. */
  readonly dataStart: number;
  /** Bytes of data in the archive (compressed size). */
  readonly size: number;
}

export class ZipError extends Error {
  constructor(what: string, message: string) {
    super(`${what}: ${message}`);
    this.name = 'ZipError';
  }
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const DESCRIPTOR = 0x08074b50;
const U32_MAX = 0xffffffff;

const utf8 = new TextDecoder('utf-8');

export function isZip(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 4 && view(bytes).getUint32(0, true) === LOCAL;
}

/** The archive's entries by name, from the central directory; null when there is none (a truncated file). */
export function readZipDirectory(bytes: Uint8Array, what: string): Map<string, ZipEntry> | null {
  const dv = view(bytes);
  const eocd = findEocd(dv);
  if (eocd < 0) return null;
  let count = dv.getUint16(eocd + 10, true);
  let offset = dv.getUint32(eocd + 16, true);
  if (count === 0xffff || offset === U32_MAX) {
    const locator = eocd - 20;
    if (locator < 0 || dv.getUint32(locator, true) !== ZIP64_LOCATOR) throw new ZipError(what, 'the zip64 end-of-archive locator is missing (damaged file)');
    const z = u64(dv, locator + 8);
    if (z + 56 > bytes.byteLength || dv.getUint32(z, true) !== ZIP64_EOCD) throw new ZipError(what, 'the zip64 end-of-archive record is damaged');
    count = u64(dv, z + 32);
    offset = u64(dv, z + 48);
  }
  const entries = new Map<string, ZipEntry>();
  for (let i = 0, p = offset; i < count; i++) {
    if (p + 46 > bytes.byteLength || dv.getUint32(p, true) !== CENTRAL) throw new ZipError(what, `zip directory entry ${i} is damaged`);
    const nameLength = dv.getUint16(p + 28, true);
    const extraLength = dv.getUint16(p + 30, true);
    if (p + 46 + nameLength + extraLength > bytes.byteLength) throw new ZipError(what, `zip directory entry ${i} runs past the end of the file (damaged file)`);
    const name = utf8.decode(bytes.subarray(p + 46, p + 46 + nameLength));
    const sizes = zip64Fields(dv, p + 46 + nameLength, extraLength, [dv.getUint32(p + 24, true), dv.getUint32(p + 20, true), dv.getUint32(p + 42, true)]);
    const [, size, localOffset] = sizes;
    entries.set(name, { name, method: dv.getUint16(p + 10, true), dataStart: localDataStart(dv, localOffset, name, what), size });
    p += 46 + nameLength + extraLength + dv.getUint16(p + 32, true);
  }
  checkDisjoint([...entries.values()], what);
  return entries;
}

/**
 * Entries never share bytes in an archive torch writes; a directory pointing many names at one entry would
 * have its data decoded once per name (3,000 names × 1 MiB is 3 GB from a 1 MB file), so it is refused.
 */
function checkDisjoint(entries: readonly ZipEntry[], what: string): void {
  const sorted = entries.filter((e) => e.size > 0).sort((a, b) => a.dataStart - b.dataStart);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    if (sorted[i]!.dataStart < prev.dataStart + prev.size) throw new ZipError(what, `zip entries "${prev.name.slice(0, 80)}" and "${sorted[i]!.name.slice(0, 80)}" share their data (the file is damaged or crafted)`);
  }
}

/** The entry's bytes as a view into the file (no copy). */
export function entryData(bytes: Uint8Array, entry: ZipEntry, what: string): Uint8Array {
  if (entry.method !== 0) {
    const fix = 're-save the checkpoint with torch.save instead of re-zipping it';
    throw new ZipError(what, `"${entry.name}" is compressed (zip method ${entry.method}); PyTorch writes its archives uncompressed: ${fix}`);
  }
  return bytes.subarray(entry.dataStart, Math.min(bytes.byteLength, entry.dataStart + entry.size));
}

export interface ScannedZip {
  /** Entries whose data is complete. */
  readonly complete: readonly ZipEntry[];
  /** The entry the file ends in, with the bytes it still has; null when the file ends between entries. */
  readonly partial: { readonly name: string; readonly available: number } | null;
}

/**
 * Walks the local headers from the start, for a file that lost its central directory. Torch sets the
 * data-descriptor flag (sizes come after the data), so each entry's end is found by searching for a descriptor
 * whose recorded size matches the distance searched: a coincidence in the data cannot match that.
 */
export function scanLocalEntries(bytes: Uint8Array): ScannedZip {
  const dv = view(bytes);
  const complete: ZipEntry[] = [];
  let p = 0;
  while (p + 30 <= bytes.byteLength && dv.getUint32(p, true) === LOCAL) {
    const nameLength = dv.getUint16(p + 26, true);
    const extraLength = dv.getUint16(p + 28, true);
    const name = utf8.decode(bytes.subarray(p + 30, Math.min(bytes.byteLength, p + 30 + nameLength)));
    const dataStart = p + 30 + nameLength + extraLength;
    if (dataStart > bytes.byteLength) return { complete, partial: { name, available: 0 } };
    const method = dv.getUint16(p + 8, true);
    const flags = dv.getUint16(p + 6, true);
    const end = flags & 8 ? findDescriptor(bytes, dv, dataStart) : { size: dv.getUint32(p + 18, true), next: dataStart + dv.getUint32(p + 18, true) };
    if (end === null || end.next > bytes.byteLength) return { complete, partial: { name, available: bytes.byteLength - dataStart } };
    complete.push({ name, method, dataStart, size: end.size });
    p = end.next;
  }
  return { complete, partial: null };
}

function findDescriptor(bytes: Uint8Array, dv: DataView, dataStart: number): { size: number; next: number } | null {
  for (let q = bytes.indexOf(0x50, dataStart); q >= 0 && q + 16 <= bytes.byteLength; q = bytes.indexOf(0x50, q + 1)) {
    if (dv.getUint32(q, true) !== DESCRIPTOR) continue;
    const size = q - dataStart;
    if (dv.getUint32(q + 8, true) === size % 2 ** 32 && dv.getUint32(q + 12, true) === size % 2 ** 32) return { size, next: q + 16 };
    if (q + 24 <= bytes.byteLength && u64(dv, q + 8) === size && u64(dv, q + 16) === size) return { size, next: q + 24 };
  }
  return null;
}

function findEocd(dv: DataView): number {
  const last = dv.byteLength - 22;
  for (let p = last; p >= 0 && p >= last - 0xffff; p--) if (dv.getUint32(p, true) === EOCD) return p;
  return -1;
}

/** Replaces the 32-bit (uncompressed, compressed, local offset) values that are 0xffffffff by their zip64 extra. */
function zip64Fields(dv: DataView, extraStart: number, extraLength: number, fields: number[]): [number, number, number] {
  for (let p = extraStart; p + 4 <= extraStart + extraLength; p += 4 + dv.getUint16(p + 2, true)) {
    if (dv.getUint16(p, true) !== 0x0001) continue;
    let q = p + 4;
    const end = Math.min(p + 4 + dv.getUint16(p + 2, true), extraStart + extraLength);
    for (let i = 0; i < 3; i++) {
      if (fields[i] === U32_MAX && q + 8 <= end) {
        fields[i] = u64(dv, q);
        q += 8;
      }
    }
  }
  return [fields[0]!, fields[1]!, fields[2]!];
}

function localDataStart(dv: DataView, offset: number, name: string, what: string): number {
  if (offset + 30 > dv.byteLength || dv.getUint32(offset, true) !== LOCAL) throw new ZipError(what, `the zip header of "${name}" is missing or damaged`);
  return offset + 30 + dv.getUint16(offset + 26, true) + dv.getUint16(offset + 28, true);
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function u64(dv: DataView, at: number): number {
  return Number(dv.getBigUint64(at, true));
}
