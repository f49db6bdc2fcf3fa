/**
 * One Dawn runtime per test process, on SwiftShader (Chromium's software Vulkan), so GPU tests run on
 * machines without a GPU — CI included — rather than being skipped.
 */
import { createNodeRuntime } from '../../src/engine/gpu/node';
import type { Runtime } from '../../src/engine/gpu/runtime';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
let runtime: Promise<Runtime> | null = null;

export function testRuntime(): Promise<Runtime> {
  if (!runtime) {
    process.env.VK_ICD_FILENAMES ??= SWIFTSHADER_ICD;
    runtime = createNodeRuntime({}, ['disable_workgroup_init']);
  }
  return runtime;
}
