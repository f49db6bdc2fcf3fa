/**
 * A GPUDevice that allocates nothing: buffers are records of (size, usage, label), pipelines and bind groups
 * are empty objects, submitted work never runs. The Runtime, the arena and every engine class run on it
 * unchanged, so the memory planner can build a real training step and read the arena's own byte counts —
 * the prediction comes from the engine's allocation code itself and cannot drift from it.
 *
 * It also traces what a submission would do: every dispatch with the bytes of the buffers it binds, the
 * lower bound on the memory traffic of a step (each bound range read or written once).
 *
 * Only the part of GPUDevice the runtime touches is implemented; the object is cast to GPUDevice at the one
 * place it is handed over (WebGPU's interfaces are large and mostly irrelevant here).
 */
import type { AcquiredDevice } from '../gpu/device';

/** One created buffer, as the planner reports it. */
export interface CountedBuffer {
  readonly size: number;
  readonly usage: number;
  readonly label: string;
}

/** A dispatch a submission would run: its label and the bytes it binds. */
export interface TracedDispatch {
  readonly label: string;
  readonly boundBytes: number;
}

const SMALL_READBACK_WORDS = 1 << 18; // 1 MiB

class FakeBuffer implements CountedBuffer {
  readonly mapState = 'unmapped';
  constructor(
    readonly size: number,
    readonly usage: number,
    readonly label: string,
  ) {}
  destroy(): void {}
  mapAsync(): Promise<void> {
    return Promise.resolve();
  }
  /**
   * Small readbacks (losses, norms, ranks) see u32 ones, valid for every consumer (ranks must be >= 1; floats
   * read as tiny finite values). Big ones — only the trainable weights an evaluation keeps, 475 MiB for full
   * fine-tuning of codebert-base, whose values the planner discards — come back empty: copying half a
   * gigabyte three times would make a plan take seconds (the staging buffer is still counted, as allocated).
   */
  getMappedRange(): ArrayBuffer {
    const words = Math.ceil(this.size / 4);
    return new Uint32Array(words <= SMALL_READBACK_WORDS ? words : 0).fill(1).buffer;
  }
  unmap(): void {}
}

interface FakeBindGroup {
  readonly label: string;
  readonly boundBytes: number;
}

/** Spec values of the WebGPU flag namespaces, for environments (Node without Dawn) that lack them. */
const WEBGPU_CONSTANTS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  GPUBufferUsage: { MAP_READ: 1, MAP_WRITE: 2, COPY_SRC: 4, COPY_DST: 8, INDEX: 16, VERTEX: 32, UNIFORM: 64, STORAGE: 128, INDIRECT: 256, QUERY_RESOLVE: 512 },
  GPUMapMode: { READ: 1, WRITE: 2 },
  GPUShaderStage: { VERTEX: 1, FRAGMENT: 2, COMPUTE: 4 },
};

/** The runtime reads GPUBufferUsage & co. as globals: define them (with the spec's values) where missing. */
export function ensureWebGpuConstants(): void {
  const g = globalThis as unknown as Record<string, unknown>;
  for (const [name, values] of Object.entries(WEBGPU_CONSTANTS)) g[name] ??= Object.freeze({ ...values });
}

/** Limits as on current desktop GPUs; only the binding alignment matters to the engine's layout. */
const LIMITS = {
  minStorageBufferOffsetAlignment: 256,
  minUniformBufferOffsetAlignment: 256,
  maxStorageBufferBindingSize: 2 ** 31 - 4,
  maxBufferSize: 2 ** 52,
  maxComputeWorkgroupsPerDimension: 65535,
};

export class CountingDevice {
  readonly buffers: CountedBuffer[] = [];
  readonly dispatches: TracedDispatch[] = [];
  readonly limits = LIMITS;
  readonly features = new Set<string>();
  readonly lost = new Promise<never>(() => undefined);
  readonly queue = {
    writeBuffer: (): void => undefined,
    submit: (): void => undefined,
    onSubmittedWorkDone: (): Promise<void> => Promise.resolve(),
  };

  createBuffer(d: { size: number; usage: number; label?: string }): FakeBuffer {
    const buffer = new FakeBuffer(d.size, d.usage, d.label ?? '');
    this.buffers.push(buffer);
    return buffer;
  }

  createBindGroup(d: { label?: string; entries: Iterable<{ resource: { size?: number } }> }): FakeBindGroup {
    let bytes = 0;
    for (const e of d.entries) bytes += e.resource.size ?? 0;
    return { label: d.label ?? '', boundBytes: bytes };
  }

  createBindGroupLayout(): object {
    return {};
  }
  createPipelineLayout(): object {
    return {};
  }
  createComputePipeline(): object {
    return {};
  }
  createShaderModule(): { getCompilationInfo: () => Promise<{ messages: never[] }> } {
    return { getCompilationInfo: () => Promise.resolve({ messages: [] }) };
  }

  createCommandEncoder(): object {
    let bound: FakeBindGroup | null = null;
    const pass = {
      setPipeline: (): void => undefined,
      setBindGroup: (_index: number, group: FakeBindGroup): void => {
        bound = group;
      },
      dispatchWorkgroups: (): void => {
        if (bound) this.dispatches.push({ label: bound.label, boundBytes: bound.boundBytes });
      },
      end: (): void => undefined,
    };
    return {
      beginComputePass: () => pass,
      clearBuffer: (): void => undefined,
      copyBufferToBuffer: (): void => undefined,
      finish: (): object => ({}),
    };
  }

  pushErrorScope(): void {}
  popErrorScope(): Promise<null> {
    return Promise.resolve(null);
  }
  addEventListener(): void {}
  destroy(): void {}
}

/** A device for `new Runtime(...)` that counts instead of allocating. */
export function countingDevice(): { acquired: AcquiredDevice; device: CountingDevice } {
  ensureWebGpuConstants();
  const device = new CountingDevice();
  const acquired: AcquiredDevice = {
    device: device as unknown as GPUDevice,
    adapter: { vendor: 'planner', architecture: 'none', device: '', description: 'memory planner (no GPU)', isFallbackAdapter: false, features: [], limits: { ...LIMITS } },
    features: { f16: false, subgroups: false, timestampQuery: false },
  };
  return { acquired, device };
}
