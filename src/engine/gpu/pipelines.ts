/**
 * Pipeline cache: one shader module per WGSL file, one pipeline per (file, entry point, override constants,
 * binding layout). Kernel shapes are override constants, so a training run compiles each distinct shape once
 * and every later step reuses it.
 */
import { GpuError } from './errors';

export interface ShaderSource {
  /** The WGSL file name without extension, e.g. `layernorm_backward`. */
  readonly name: string;
  readonly code: string;
}

/** How a kernel uses each binding, in binding order (group 0). */
export type BindingKind = 'read' | 'write' | 'uniform';

export type Constants = Readonly<Record<string, number | boolean>>;

export class PipelineCache {
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly layouts = new Map<string, GPUBindGroupLayout>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();

  constructor(private readonly device: GPUDevice) {}

  get size(): number {
    return this.pipelines.size;
  }

  layout(kinds: readonly BindingKind[]): GPUBindGroupLayout {
    const key = kinds.join(',');
    let layout = this.layouts.get(key);
    if (!layout) {
      layout = this.device.createBindGroupLayout({
        label: `bindings[${key}]`,
        entries: kinds.map((kind, binding) => ({
          binding,
          visibility: GPUShaderStage.COMPUTE,
          buffer: { type: bufferType(kind) },
        })),
      });
      this.layouts.set(key, layout);
    }
    return layout;
  }

  get(shader: ShaderSource, entryPoint: string, constants: Constants, kinds: readonly BindingKind[]): GPUComputePipeline {
    const key = `${shader.name}|${entryPoint}|${constantsKey(constants)}|${kinds.join(',')}`;
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      pipeline = this.device.createComputePipeline({
        label: `${shader.name}:${entryPoint}`,
        layout: this.device.createPipelineLayout({ bindGroupLayouts: [this.layout(kinds)] }),
        compute: { module: this.module(shader), entryPoint, constants: numericConstants(constants) },
      });
      this.pipelines.set(key, pipeline);
    }
    return pipeline;
  }

  private module(shader: ShaderSource): GPUShaderModule {
    let module = this.modules.get(shader.name);
    if (!module) {
      module = this.device.createShaderModule({ label: shader.name, code: shader.code });
      this.modules.set(shader.name, module);
    }
    return module;
  }

  /** Compiles every cached module's diagnostics into one readable error, if there are any. */
  async checkCompilation(): Promise<void> {
    for (const [name, module] of this.modules) {
      const info = await module.getCompilationInfo();
      const errors = info.messages.filter((m) => m.type === 'error');
      if (errors.length > 0) {
        const lines = errors.map((m) => `  ${name}.wgsl:${m.lineNum}:${m.linePos} ${m.message}`);
        throw new GpuError('validation', `WGSL compilation failed:\n${lines.join('\n')}`);
      }
    }
  }
}

function bufferType(kind: BindingKind): GPUBufferBindingType {
  if (kind === 'uniform') return 'uniform';
  return kind === 'read' ? 'read-only-storage' : 'storage';
}

function constantsKey(constants: Constants): string {
  return Object.keys(constants)
    .sort()
    .map((k) => `${k}=${String(constants[k])}`)
    .join(',');
}

function numericConstants(constants: Constants): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(constants)) out[k] = typeof v === 'boolean' ? Number(v) : v;
  return out;
}
