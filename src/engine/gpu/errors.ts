/** Errors the GPU layer raises, each phrased for the person who has to act on it. */

export type GpuErrorKind = 'unavailable' | 'validation' | 'out-of-memory' | 'internal' | 'device-lost' | 'shape';

export class GpuError extends Error {
  readonly kind: GpuErrorKind;
  constructor(kind: GpuErrorKind, message: string) {
    super(message);
    this.name = 'GpuError';
    this.kind = kind;
  }
}

/** What the user can do about each kind of failure: appended to the message shown in the UI and CLI. */
export const GPU_ERROR_ADVICE: Record<GpuErrorKind, string> = {
  unavailable:
    'WebGPU is not available. Use Chrome or Edge 113+; on Linux start Chrome with ' +
    '--enable-unsafe-webgpu --enable-features=Vulkan, and serve the page from localhost or https.',
  validation: 'This is a bug in the lab: please report it with the message above.',
  'out-of-memory': 'The GPU ran out of memory: lower the batch size or the sequence lengths, or pick a smaller method.',
  internal: 'The GPU driver reported an internal error: reload the page; if it repeats, update the browser or driver.',
  'device-lost':
    'The GPU device was lost (a driver reset, the system sleeping, another tab or program taking the GPU, or the device destroyed). A run continues from its last checkpoint on a new device.',
  shape: 'This is a bug in the lab: a kernel was called with tensors of the wrong shape.',
};

export function describeGpuError(error: GpuError): string {
  return `${error.message}\n${GPU_ERROR_ADVICE[error.kind]}`;
}

export function shapeError(op: string, detail: string): GpuError {
  return new GpuError('shape', `${op}: ${detail}`);
}
