/**
 * A restricted unpickler for PyTorch checkpoints. A pickle is a program for a stack machine whose GLOBAL
 * opcode names any Python callable; Python's unpickler imports and calls it, which is how a hostile
 * checkpoint runs code. This VM never calls anything: a GLOBAL resolves only through the caller's allowlist
 * to a constructor that builds plain data, and every other global is refused with its name. Caps on
 * operations, memo entries, stack and mark depth keep a hostile file from hanging the tab or exhausting memory;
 * nothing here recurses over the data, so deeply nested or cyclic containers cost nothing extra.
 */

/** A Python tuple (kept apart from lists, which are plain arrays). */
export class PickleTuple {
  constructor(readonly items: readonly PickleValue[]) {}
}

export type PickleKey = string | number | boolean | null;

/** A dict or OrderedDict, in insertion order; `state` holds what BUILD attached (torch's `_metadata`). */
export class PickleDict {
  readonly entries = new Map<PickleKey, PickleValue>();
  state: PickleValue = null;
}

/** An allowlisted global: a type marker (a storage type) or, with `call`, a data constructor. */
export class PickleGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
    readonly call?: (args: readonly PickleValue[]) => PickleValue,
  ) {}

  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/** Objects built by the caller's constructors or persistent loader (for torch: storages and tensors). */
export interface HostObject {
  readonly hostKind: string;
}

export type PickleValue = null | boolean | number | bigint | string | Uint8Array | PickleValue[] | PickleTuple | PickleDict | PickleGlobal | HostObject;

export class PickleError extends Error {
  constructor(what: string, message: string) {
    super(`${what}: ${message}`);
    this.name = 'PickleError';
  }
}

export interface UnpickleOptions {
  /** Names the file in errors. */
  readonly what: string;
  /** `module name` → the global it resolves to; anything absent is refused. */
  readonly globals: ReadonlyMap<string, PickleGlobal>;
  /** BINPERSID's handler (torch's storage references); absent: persistent ids are refused. */
  readonly persistentLoad?: (pid: PickleValue) => PickleValue;
  readonly maxOps?: number;
  readonly maxMemo?: number;
  readonly maxStack?: number;
  readonly maxMarks?: number;
}

export interface Unpickled {
  readonly value: PickleValue;
  /** Offset just past STOP: the legacy torch format puts several pickles back to back. */
  readonly end: number;
}

/** Real state dicts need a few thousand ops and memo slots; these caps are far above that. */
export const PICKLE_LIMITS = { maxOps: 20_000_000, maxMemo: 2_000_000, maxStack: 2_000_000, maxMarks: 1_000 } as const;

const RESAVE = 're-save the weights with torch.save(model.state_dict(), path) or as safetensors';

/** Globals from modules that ship code runners get the "contains code" message even if the name is odd. */
function refusal(module: string, name: string): string {
  const full = `${module}.${name}`;
  if (module === 'torch' || module.startsWith('torch.')) {
    return `it uses ${full}, which the lab does not read (it reads plain tensors in dicts): ${RESAVE}`;
  }
  return `this file asks to run ${full}; the lab refuses to load checkpoints that contain code (it reads only tensors in plain dicts): ${RESAVE}`;
}

/** Runs the pickle that starts at `start` and returns the value STOP leaves, and where it ended. */
export function unpickle(bytes: Uint8Array, start: number, options: UnpickleOptions): Unpickled {
  return new Machine(bytes, start, options).run();
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

class Machine {
  private pos: number;
  private stack: PickleValue[] = [];
  private readonly marks: number[] = [];
  private readonly memo = new Map<number, PickleValue>();
  private readonly view: DataView;
  private readonly limits: { readonly [K in keyof typeof PICKLE_LIMITS]: number };

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    private readonly options: UnpickleOptions,
  ) {
    this.pos = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.limits = {
      maxOps: options.maxOps ?? PICKLE_LIMITS.maxOps,
      maxMemo: options.maxMemo ?? PICKLE_LIMITS.maxMemo,
      maxStack: options.maxStack ?? PICKLE_LIMITS.maxStack,
      maxMarks: options.maxMarks ?? PICKLE_LIMITS.maxMarks,
    };
  }

  private fail(message: string): never {
    throw new PickleError(this.options.what, message);
  }

  run(): Unpickled {
    for (let ops = 0; ; ops++) {
      if (ops >= this.limits.maxOps) this.fail(`the pickle runs more than ${this.limits.maxOps} operations; a state dict needs far fewer (damaged or hostile file)`);
      const at = this.pos;
      const op = this.u8();
      if (op === 0x2e) return { value: this.pop(), end: this.pos }; // STOP
      if (!this.step(op)) this.fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} at byte ${at} (the file is damaged, or not a PyTorch checkpoint)`);
      if (this.stack.length > this.limits.maxStack) this.fail(`the pickle stack grows past ${this.limits.maxStack} items (damaged or hostile file)`);
    }
  }

  /** One opcode; false when it is not one the lab supports. */
  private step(op: number): boolean {
    return this.stepData(op) || this.stepContainer(op) || this.stepMemo(op) || this.stepCall(op);
  }

  private stepData(op: number): boolean {
    switch (op) {
      case 0x80: this.u8(); return true; // PROTO: any version; the opcodes themselves are checked
      case 0x95: this.take(8); return true; // FRAME: a length hint only
      case 0x4e: this.push(null); return true; // NONE
      case 0x88: this.push(true); return true; // NEWTRUE
      case 0x89: this.push(false); return true; // NEWFALSE
      case 0x4a: this.push(this.view.getInt32(this.take(4), true)); return true; // BININT
      case 0x4b: this.push(this.u8()); return true; // BININT1
      case 0x4d: this.push(this.view.getUint16(this.take(2), true)); return true; // BININT2
      case 0x8a: this.push(this.long(this.u8())); return true; // LONG1
      case 0x8b: this.push(this.long(this.u32())); return true; // LONG4
      case 0x47: this.push(this.view.getFloat64(this.take(8), false)); return true; // BINFLOAT (big-endian)
      case 0x58: this.push(this.text(this.u32(), utf8)); return true; // BINUNICODE
      case 0x8c: this.push(this.text(this.u8(), utf8)); return true; // SHORT_BINUNICODE
      case 0x8d: this.push(this.text(this.u64(), utf8)); return true; // BINUNICODE8
      case 0x55: this.push(this.text(this.u8(), latin1)); return true; // SHORT_BINSTRING (Python 2)
      case 0x54: this.push(this.text(this.u32(), latin1)); return true; // BINSTRING (Python 2)
      case 0x43: this.push(this.raw(this.u8())); return true; // SHORT_BINBYTES
      case 0x42: this.push(this.raw(this.u32())); return true; // BINBYTES
      case 0x8e: this.push(this.raw(this.u64())); return true; // BINBYTES8
      default: return false;
    }
  }

  private stepContainer(op: number): boolean {
    switch (op) {
      case 0x28: // MARK
        if (this.marks.length >= this.limits.maxMarks) this.fail(`the pickle nests more than ${this.limits.maxMarks} marks (damaged or hostile file)`);
        this.marks.push(this.stack.length);
        return true;
      case 0x30: this.pop(); return true; // POP
      case 0x31: this.popMark(); return true; // POP_MARK
      case 0x32: this.push(this.top()); return true; // DUP
      case 0x29: this.push(new PickleTuple([])); return true; // EMPTY_TUPLE
      case 0x74: this.push(new PickleTuple(this.popMark())); return true; // TUPLE
      case 0x85: case 0x86: case 0x87: { // TUPLE1..3
        const n = op - 0x84;
        if (this.stack.length < n) this.fail('the pickle stack underflows (damaged file)');
        this.push(new PickleTuple(this.stack.splice(this.stack.length - n, n)));
        return true;
      }
      case 0x5d: this.push([]); return true; // EMPTY_LIST
      case 0x6c: this.push(this.popMark()); return true; // LIST
      case 0x61: { const item = this.pop(); this.list(this.top()).push(item); return true; } // APPEND
      case 0x65: { const items = this.popMark(); const list = this.list(this.top()); for (const item of items) list.push(item); return true; } // APPENDS
      case 0x7d: this.push(new PickleDict()); return true; // EMPTY_DICT
      case 0x64: { const d = new PickleDict(); this.setItems(d, this.popMark()); this.push(d); return true; } // DICT
      case 0x73: { const v = this.pop(); const k = this.pop(); this.setItems(this.dict(this.top()), [k, v]); return true; } // SETITEM
      case 0x75: { const items = this.popMark(); this.setItems(this.dict(this.top()), items); return true; } // SETITEMS
      default: return false;
    }
  }

  private stepMemo(op: number): boolean {
    switch (op) {
      case 0x71: this.put(this.u8()); return true; // BINPUT
      case 0x72: this.put(this.u32()); return true; // LONG_BINPUT
      case 0x94: this.put(this.memo.size); return true; // MEMOIZE
      case 0x68: this.push(this.get(this.u8())); return true; // BINGET
      case 0x6a: this.push(this.get(this.u32())); return true; // LONG_BINGET
      default: return false;
    }
  }

  private stepCall(op: number): boolean {
    switch (op) {
      case 0x63: this.push(this.resolve(this.line(), this.line())); return true; // GLOBAL
      case 0x93: { const name = this.pop(); const module = this.pop(); this.push(this.resolve(this.str(module), this.str(name))); return true; } // STACK_GLOBAL
      case 0x69: { const g = this.resolve(this.line(), this.line()); this.push(this.call(g, this.popMark())); return true; } // INST
      case 0x6f: { const [g, ...args] = this.popMark(); this.push(this.call(g ?? null, args)); return true; } // OBJ
      case 0x52: { const args = this.pop(); this.push(this.call(this.pop(), this.tuple(args))); return true; } // REDUCE
      case 0x81: { const args = this.pop(); this.push(this.call(this.pop(), this.tuple(args))); return true; } // NEWOBJ
      case 0x92: { // NEWOBJ_EX
        const kwargs = this.pop();
        const args = this.pop();
        if (!(kwargs instanceof PickleDict) || kwargs.entries.size > 0) this.fail('NEWOBJ_EX with keyword arguments is not supported');
        this.push(this.call(this.pop(), this.tuple(args)));
        return true;
      }
      case 0x62: this.build(this.pop(), this.top()); return true; // BUILD
      case 0x51: this.push(this.persistent(this.pop())); return true; // BINPERSID
      case 0x82: case 0x83: case 0x84: this.fail('the pickle uses the copyreg extension registry (EXT opcodes), which a checkpoint never needs'); // EXT1/2/4
      default: return false;
    }
  }

  private resolve(module: string, name: string): PickleGlobal {
    const g = this.options.globals.get(`${module} ${name}`);
    if (g === undefined) this.fail(refusal(module, name));
    return g;
  }

  private call(callee: PickleValue, args: readonly PickleValue[]): PickleValue {
    if (!(callee instanceof PickleGlobal)) this.fail(`the pickle calls a ${describe(callee)}, which is not a constructor (damaged file)`);
    if (callee.call === undefined) this.fail(`the pickle calls ${callee.qualifiedName}, which is a type marker, not a constructor (damaged file)`);
    try {
      return callee.call(args);
    } catch (e) {
      if (e instanceof PickleError) throw e;
      this.fail(`${callee.qualifiedName}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private build(state: PickleValue, target: PickleValue): void {
    // torch's state dicts carry `_metadata` (versions per module); it is kept but means nothing here.
    if (target instanceof PickleDict) target.state = state;
    else this.fail(`the pickle sets the state of a ${describe(target)}, which a state dict never does`);
  }

  private persistent(pid: PickleValue): PickleValue {
    if (this.options.persistentLoad === undefined) this.fail('the pickle refers to external data (a persistent id) where none is expected');
    return this.options.persistentLoad(pid);
  }

  private setItems(d: PickleDict, items: readonly PickleValue[]): void {
    if (items.length % 2 !== 0) this.fail('a dict gets an odd number of keys and values (damaged file)');
    for (let i = 0; i < items.length; i += 2) d.entries.set(this.key(items[i]!), items[i + 1]!);
  }

  private key(k: PickleValue): PickleKey {
    if (typeof k === 'string' || typeof k === 'number' || typeof k === 'boolean' || k === null) return k;
    if (typeof k === 'bigint') return k.toString();
    return this.fail(`a dict key is a ${describe(k)}; the lab reads dicts keyed by strings and numbers`);
  }

  private put(index: number): void {
    if (!this.memo.has(index) && this.memo.size >= this.limits.maxMemo) this.fail(`the pickle memoizes more than ${this.limits.maxMemo} values (damaged or hostile file)`);
    this.memo.set(index, this.top());
  }

  private get(index: number): PickleValue {
    const v = this.memo.get(index);
    if (v === undefined) this.fail(`the pickle reads memo slot ${index}, which was never written (damaged file)`);
    return v;
  }

  private push(v: PickleValue): void {
    this.stack.push(v);
  }

  private pop(): PickleValue {
    const floor = this.marks.length > 0 ? this.marks[this.marks.length - 1]! : 0;
    if (this.stack.length <= floor) this.fail('the pickle stack underflows (damaged file)');
    return this.stack.pop()!;
  }

  private top(): PickleValue {
    if (this.stack.length === 0) this.fail('the pickle stack underflows (damaged file)');
    return this.stack[this.stack.length - 1]!;
  }

  private popMark(): PickleValue[] {
    const mark = this.marks.pop();
    if (mark === undefined) this.fail('the pickle closes a MARK it never opened (damaged file)');
    return this.stack.splice(mark);
  }

  private list(v: PickleValue): PickleValue[] {
    if (!Array.isArray(v)) this.fail(`the pickle appends to a ${describe(v)} (damaged file)`);
    return v;
  }

  private dict(v: PickleValue): PickleDict {
    if (!(v instanceof PickleDict)) this.fail(`the pickle sets an item on a ${describe(v)}, which the lab does not build`);
    return v;
  }

  private tuple(v: PickleValue): readonly PickleValue[] {
    if (!(v instanceof PickleTuple)) this.fail(`the pickle passes a ${describe(v)} as call arguments (damaged file)`);
    return v.items;
  }

  private str(v: PickleValue): string {
    if (typeof v !== 'string') this.fail(`STACK_GLOBAL gets a ${describe(v)} for a name (damaged file)`);
    return v;
  }

  /** Advances past n bytes and returns where they start; the bounds check is what stops every oversized length. */
  private take(n: number): number {
    const left = this.bytes.byteLength - this.pos;
    if (n > left) this.fail(`the pickle ends early: byte ${this.pos} needs ${n} more bytes but the file has ${left} (the file is truncated)`);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  private u8(): number {
    return this.view.getUint8(this.take(1));
  }

  private u32(): number {
    return this.view.getUint32(this.take(4), true);
  }

  private u64(): number {
    const v = this.view.getBigUint64(this.take(8), true);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
  }

  private raw(n: number): Uint8Array {
    const at = this.take(n);
    return this.bytes.slice(at, at + n);
  }

  private text(n: number, decoder: TextDecoder): string {
    const at = this.take(n);
    try {
      return decoder.decode(this.bytes.subarray(at, at + n));
    } catch {
      return this.fail(`a string at byte ${at} is not valid UTF-8 (damaged file)`);
    }
  }

  /** A newline-terminated ASCII line (GLOBAL/INST operands); short, so a missing newline fails fast. */
  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0 || end - this.pos > 256) this.fail(`a global name at byte ${this.pos} is not terminated (damaged file)`);
    const s = latin1.decode(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }

  /** Little-endian two's complement; integers beyond 2^53 stay bigint (torch's legacy magic number is one). */
  private long(n: number): number | bigint {
    if (n > 64) this.fail(`an integer of ${n} bytes is larger than any checkpoint needs (damaged or hostile file)`);
    const at = this.take(n);
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.bytes[at + i]!);
    if (n > 0 && this.bytes[at + n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }
}

/** A one-word description of a value for error messages (never recursive). */
export function describe(v: PickleValue): string {
  if (v === null) return 'None';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Uint8Array) return 'bytes';
  if (v instanceof PickleTuple) return 'tuple';
  if (v instanceof PickleDict) return 'dict';
  if (v instanceof PickleGlobal) return `global ${v.qualifiedName}`;
  if (typeof v === 'object') return v.hostKind;
  return typeof v === 'bigint' ? 'int' : typeof v;
}
