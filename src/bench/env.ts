/** Versions and settings the report records (Node only: the benchmark runs through Dawn). */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The installed `webgpu` package's version (Dawn's Node bindings; Dawn itself reports no version). */
export function webgpuPackageVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    const main = require.resolve('webgpu');
    const pkg: unknown = JSON.parse(readFileSync(join(dirname(main), 'package.json'), 'utf8'));
    const version = typeof pkg === 'object' && pkg !== null && 'version' in pkg ? pkg.version : null;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** --software-gpu: point the Vulkan loader at Chromium's SwiftShader unless the caller already chose an ICD. */
export function useSoftwareGpu(): void {
  process.env.VK_ICD_FILENAMES ??= SWIFTSHADER_ICD;
}
