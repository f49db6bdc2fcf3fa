/**
 * The GPU runtime the engine talks to: tensors from an arena, kernels as dispatch records built once,
 * a whole step encoded into one command encoder, results read back asynchronously after submission.
 * Validation and out-of-memory errors are caught with error scopes; device loss becomes an event and
 * rejects pending work instead of hanging it.
 */
import { BufferArena } from './arena';
import type { AcquiredDevice, AdapterSummary, GpuFeatures } from './device';
import { GpuError } from './errors';
import { PipelineCache, type BindingKind, type Constants, type ShaderSource } from './pipelines';
import { boundBytes, byteSize, dataBytes, numel, type DType, type Tensor } from './tensor';

/** One recorded kernel launch: built once per plan, encoded every step. */
export interface Dispatch {
  readonly kind: 'dispatch';
  readonly label: string;
  readonly pipeline: GPUComputePipeline;
  readonly bindGroup: GPUBindGroup;
  readonly workgroups: readonly [number, number, number];
  /** Floating-point operations this launch performs (for profiling and the benchmark). */
  readonly flops: number;
}

/** Zero a tensor (e.g. the accumulated parameter gradients at the start of a step). */
export interface Clear {
  readonly kind: 'clear';
  readonly label: string;
  readonly tensor: Tensor;
}

/** Copy a tensor into another (e.g. to fork a gradient that two branches consume), optionally into a range of it. */
export interface Copy {
  readonly kind: 'copy';
  readonly label: string;
  readonly src: Tensor;
  readonly dst: Tensor;
  readonly srcElements: number;
  readonly dstElementOffset: number;
}

export type StepCommand = Dispatch | Clear | Copy;

export function clear(tensor: Tensor): Clear {
  return { kind: 'clear', label: `clear:${tensor.label}`, tensor };
}

export function copy(dst: Tensor, src: Tensor): Copy {
  expectWords('copy', src, dst);
  if (numel(dst.shape) !== numel(src.shape)) throw new GpuError('shape', `copy ${src.label} -> ${dst.label}: sizes differ`);
  return { kind: 'copy', label: `copy:${src.label}->${dst.label}`, src, dst, srcElements: numel(src.shape), dstElementOffset: 0 };
}

/**
 * Copy the first `elements` of src into dst starting at element `dstOffset` (a copy only needs 4-byte
 * alignment, unlike a binding: this is how per-chunk results land in a large buffer).
 */
export function copyInto(dst: Tensor, dstOffset: number, src: Tensor, elements: number = numel(src.shape)): Copy {
  expectWords('copy', src, dst);
  if (elements > numel(src.shape) || dstOffset + elements > numel(dst.shape)) {
    throw new GpuError('shape', `copy ${src.label} -> ${dst.label}[${dstOffset}..]: ${elements} elements do not fit`);
  }
  return { kind: 'copy', label: `copy:${src.label}->${dst.label}@${dstOffset}`, src, dst, srcElements: elements, dstElementOffset: dstOffset };
}

/** Copies and views count 4-byte elements: packed halves (two per word) have no such elements. */
function expectWords(what: string, ...tensors: Tensor[]): void {
  const packed = tensors.find((t) => t.dtype === 'f16');
  if (packed) throw new GpuError('shape', `${what} ${packed.label}: packed f16 tensors cannot be copied or viewed`);
}

export interface KernelCall {
  readonly shader: ShaderSource;
  /** Defaults to the shader's name: the entry point is named after the op. */
  readonly entryPoint?: string;
  readonly constants?: Constants;
  /** Buffers in binding order (@group(0) @binding(i)). */
  readonly bindings: readonly (readonly [Tensor, BindingKind])[];
  readonly workgroups: readonly [number, number, number];
  readonly flops?: number;
  readonly label?: string;
}

export type RuntimeEvent =
  | { readonly type: 'device-lost'; readonly message: string }
  | { readonly type: 'uncaptured-error'; readonly error: GpuError };

// Read lazily: in Node the GPU* globals exist only after Dawn is loaded.
const storageUsage = (): number => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

export class Runtime {
  readonly device: GPUDevice;
  readonly adapter: AdapterSummary;
  readonly features: GpuFeatures;
  readonly pipelines: PipelineCache;
  readonly arena: BufferArena;
  private readonly listeners = new Set<(event: RuntimeEvent) => void>();
  private lostMessage: string | null = null;
  private readonly lost: Promise<never>;

  private readonly onUncaptured: (event: Event) => void;

  /** `pipelines` is shared by forks of one runtime: compiled pipelines outlive any one model. */
  constructor(acquired: AcquiredDevice, pipelines?: PipelineCache) {
    this.device = acquired.device;
    this.adapter = acquired.adapter;
    this.features = acquired.features;
    this.pipelines = pipelines ?? new PipelineCache(this.device);
    this.arena = new BufferArena(this.device);
    this.lost = this.device.lost.then((info) => {
      this.lostMessage = `GPU device lost (${info.reason}): ${info.message}`;
      // destroy() ends the device on purpose: that is not news for the listeners.
      if (!this.destroyed) this.emit({ type: 'device-lost', message: this.lostMessage });
      throw new GpuError('device-lost', this.lostMessage);
    });
    this.lost.catch(() => undefined); // observed through run(); never an unhandled rejection
    this.onUncaptured = (event) => {
      const error = toGpuError((event as GPUUncapturedErrorEvent).error, 'uncaptured');
      this.emit({ type: 'uncaptured-error', error });
    };
    this.device.addEventListener('uncapturederror', this.onUncaptured);
  }

  /**
   * A runtime on the same device with its own buffer arena (and the shared pipeline cache): give each model
   * or run a fork, and `releaseAll()` it to free every buffer it allocated while the device stays.
   */
  fork(): Runtime {
    return new Runtime({ device: this.device, adapter: this.adapter, features: this.features }, this.pipelines);
  }

  /** Frees every buffer this runtime's arena allocated; the device (shared with forks) stays. */
  releaseAll(): void {
    this.arena.destroyAll();
    this.device.removeEventListener('uncapturederror', this.onUncaptured);
  }

  on(listener: (event: RuntimeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get isLost(): boolean {
    return this.lostMessage !== null;
  }

  tensor(shape: readonly number[], label: string, dtype: DType = 'f32'): Tensor {
    const buffer = this.arena.acquire(byteSize(shape, dtype), storageUsage(), label);
    return { buffer, shape: [...shape], dtype, label };
  }

  tensorFrom(data: Float32Array | Uint32Array | Int32Array, shape: readonly number[], label: string): Tensor {
    if (data.length !== numel(shape)) throw new GpuError('shape', `${label}: ${data.length} values for shape (${shape.join(', ')})`);
    const dtype: DType = data instanceof Float32Array ? 'f32' : data instanceof Uint32Array ? 'u32' : 'i32';
    const tensor = this.tensor(shape, label, dtype);
    this.write(tensor, data);
    return tensor;
  }

  /** A small uniform buffer for per-step scalars (learning rate, step, seed), rewritten in place. */
  uniform(words: number, label: string): Tensor {
    const size = Math.max(16, Math.ceil((words * 4) / 16) * 16);
    const buffer = this.arena.acquire(size, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label);
    return { buffer, shape: [words], dtype: 'f32', label };
  }

  /** Packed f16 tensors take their packed words (packHalves), from an even element. */
  write(tensor: Tensor, data: Float32Array | Uint32Array | Int32Array, elementOffset = 0): void {
    if (tensor.dtype === 'f16' && (!(data instanceof Uint32Array) || elementOffset % 2 !== 0)) {
      throw new GpuError('shape', `${tensor.label}: packed f16 tensors take packed words (packHalves) at an even element offset`);
    }
    const at = (tensor.byteOffset ?? 0) + elementOffset * (tensor.dtype === 'f16' ? 2 : 4);
    this.device.queue.writeBuffer(tensor.buffer, at, data.buffer, data.byteOffset, data.byteLength);
  }

  /**
   * A view of `shape` starting `elementOffset` elements into `base` (e.g. one parameter inside the flat
   * parameter buffer the optimizer updates in one dispatch). The offset must respect the device's storage
   * binding alignment (256 bytes = 64 floats on every current GPU).
   */
  view(base: Tensor, elementOffset: number, shape: readonly number[], label: string): Tensor {
    expectWords('view of', base);
    const byteOffset = (base.byteOffset ?? 0) + elementOffset * 4;
    const align = this.device.limits.minStorageBufferOffsetAlignment;
    if (byteOffset % align !== 0) throw new GpuError('shape', `${label}: view offset ${byteOffset} B is not a multiple of ${align} B`);
    if (elementOffset + numel(shape) > numel(base.shape)) throw new GpuError('shape', `${label}: view runs past the end of ${base.label}`);
    return { buffer: base.buffer, shape: [...shape], dtype: base.dtype, label, byteOffset };
  }

  release(...tensors: Tensor[]): void {
    for (const t of tensors) this.arena.release(t.buffer);
  }

  /** Builds a dispatch record: fetches the cached pipeline and binds the buffers. */
  kernel(call: KernelCall): Dispatch {
    const kinds = call.bindings.map(([, kind]) => kind);
    const entryPoint = call.entryPoint ?? call.shader.name;
    const pipeline = this.pipelines.get(call.shader, entryPoint, call.constants ?? {}, kinds);
    const bindGroup = this.device.createBindGroup({
      label: call.label ?? entryPoint,
      layout: this.pipelines.layout(kinds),
      entries: call.bindings.map(([tensor], binding) => ({
        binding,
        resource: { buffer: tensor.buffer, offset: tensor.byteOffset ?? 0, size: boundBytes(tensor) },
      })),
    });
    return { kind: 'dispatch', label: call.label ?? entryPoint, pipeline, bindGroup, workgroups: call.workgroups, flops: call.flops ?? 0 };
  }

  /** Runs `fn` inside validation / out-of-memory / internal error scopes and throws the first error as a GpuError. */
  async capture<T>(what: string, fn: () => T): Promise<T> {
    this.device.pushErrorScope('internal');
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    let result: T | undefined;
    let thrown: unknown = null;
    try {
      result = fn();
    } catch (error) {
      thrown = error;
    }
    const errors = [await this.device.popErrorScope(), await this.device.popErrorScope(), await this.device.popErrorScope()];
    if (thrown) throw thrown;
    const first = errors.find((e) => e !== null);
    if (first) {
      await this.pipelines.checkCompilation();
      throw toGpuError(first, what);
    }
    return result as T;
  }

  /**
   * Encodes a step into one command encoder: dispatches share compute passes (a pass ends only where a
   * clear or copy has to go between them), then `read` is copied out for mapping.
   */
  encode(commands: readonly StepCommand[], read: readonly Tensor[] = []): { commands: GPUCommandBuffer; staging: GPUBuffer[] } {
    const encoder = this.device.createCommandEncoder({ label: 'step' });
    let pass: GPUComputePassEncoder | null = null;
    for (const c of commands) {
      if (c.kind !== 'dispatch') {
        pass?.end();
        pass = null;
        if (c.kind === 'clear') encoder.clearBuffer(c.tensor.buffer, c.tensor.byteOffset ?? 0, boundBytes(c.tensor));
        else encoder.copyBufferToBuffer(c.src.buffer, c.src.byteOffset ?? 0, c.dst.buffer, (c.dst.byteOffset ?? 0) + 4 * c.dstElementOffset, 4 * c.srcElements);
        continue;
      }
      pass ??= encoder.beginComputePass({ label: 'step' });
      pass.setPipeline(c.pipeline);
      pass.setBindGroup(0, c.bindGroup);
      pass.dispatchWorkgroups(c.workgroups[0], c.workgroups[1], c.workgroups[2]);
    }
    pass?.end();
    const staging = read.map((t) => {
      const bytes = boundBytes(t);
      const buffer = this.arena.acquire(bytes, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, `read:${t.label}`);
      encoder.copyBufferToBuffer(t.buffer, t.byteOffset ?? 0, buffer, 0, bytes);
      return buffer;
    });
    return { commands: encoder.finish(), staging };
  }

  /**
   * Encodes and submits without waiting (e.g. one evaluation chunk after another); errors surface as
   * runtime events and at the next run(). Inputs written with write() in between stay in queue order.
   */
  submit(commands: readonly StepCommand[]): void {
    if (this.lostMessage) throw new GpuError('device-lost', this.lostMessage);
    this.device.queue.submit([this.encode(commands).commands]);
  }

  /** Submits one step and resolves with copies of the requested tensors (as raw bytes). */
  async runRaw(dispatches: readonly StepCommand[], read: readonly Tensor[] = []): Promise<ArrayBuffer[]> {
    if (this.lostMessage) throw new GpuError('device-lost', this.lostMessage);
    const { staging } = await this.capture('running a step', () => {
      const encoded = this.encode(dispatches, read);
      this.device.queue.submit([encoded.commands]);
      return encoded;
    });
    const mapped = Promise.all(staging.map((b) => b.mapAsync(GPUMapMode.READ)));
    try {
      await Promise.race([mapped, this.lost]);
    } catch (error) {
      throw error instanceof GpuError ? error : await this.lostOr(error);
    }
    return staging.map((buffer, i) => {
      const bytes = buffer.getMappedRange().slice(0, dataBytes(read[i]!.shape, read[i]!.dtype));
      buffer.unmap();
      this.arena.release(buffer);
      return bytes;
    });
  }

  /** Resolves with the requested tensors as floats (packed f16 tensors come back raw from runRaw instead). */
  async run(dispatches: readonly StepCommand[], read: readonly Tensor[] = []): Promise<Float32Array[]> {
    const packed = read.find((t) => t.dtype === 'f16');
    if (packed) throw new GpuError('shape', `${packed.label}: read packed f16 tensors with runRaw (their words are not floats)`);
    return (await this.runRaw(dispatches, read)).map((bytes) => new Float32Array(bytes));
  }

  async read(tensor: Tensor): Promise<Float32Array> {
    const [data] = await this.run([], [tensor]);
    return data!;
  }

  private destroyed = false;

  /**
   * A mapping aborted by a destroyed or lost device rejects before `device.lost` resolves (Chromium): wait a
   * moment for the loss, so the run ends as a lost device (which Resume gets past), not as a bug.
   */
  private lostOr(error: unknown): Promise<unknown> {
    const grace = new Promise<unknown>((resolve) => setTimeout(() => resolve(error), LOST_GRACE_MS));
    return Promise.race([this.lost.catch((lost: unknown) => lost), grace]);
  }

  destroy(): void {
    this.destroyed = true;
    this.arena.destroyAll();
    this.device.destroy();
  }

  private emit(event: RuntimeEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

function toGpuError(error: GPUError, what: string): GpuError {
  const kind = error instanceof GPUOutOfMemoryError ? 'out-of-memory' : error instanceof GPUValidationError ? 'validation' : 'internal';
  return new GpuError(kind, `GPU ${kind} error while ${what}: ${error.message}`);
}

/** How long a failed mapping waits to learn whether the device was lost (only on that error path). */
const LOST_GRACE_MS = 1000;

/** WebGPU's guaranteed workgroups per grid dimension (maxComputeWorkgroupsPerDimension's minimum). */
export const MAX_GROUPS = 65535;

/**
 * The workgroup size of the one-invocation-per-element kernels, passed to each shader as its `WG` override
 * (the WGSL default only documents it): one value, here, for every launcher.
 */
export const ELEMENTWISE_WG = 256;

/**
 * Splits a 1-D launch of `n` invocations into a 2-D grid so it stays under the per-dimension limit of
 * MAX_GROUPS workgroups; shaders recover the flat index as `gid.x + gid.y * num_workgroups.x * WG`.
 */
export function grid1d(n: number, workgroupSize: number): [number, number, number] {
  const groups = Math.max(1, Math.ceil(n / workgroupSize));
  if (groups <= MAX_GROUPS) return [groups, 1, 1];
  const y = Math.ceil(groups / MAX_GROUPS);
  return [Math.ceil(groups / y), y, 1];
}

export function ceilDiv(a: number, b: number): number {
  return Math.ceil(a / b);
}
