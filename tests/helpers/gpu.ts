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

const runtimesWithout = new Map<string, Promise<Runtime>>();

/**
 * A second device on the same adapter with one feature left off, to run a kernel's fallback path (e.g. the
 * row reductions without `subgroups`), one per feature per test process.
 */
export function testRuntimeWithout(feature: GPUFeatureName): Promise<Runtime> {
  let rt = runtimesWithout.get(feature);
  if (!rt) {
    process.env.VK_ICD_FILENAMES ??= SWIFTSHADER_ICD;
    rt = createNodeRuntime({ disableFeatures: [feature] }, ['disable_workgroup_init']);
    runtimesWithout.set(feature, rt);
  }
  return rt;
}

/** The runtimes a kernel with a feature-dependent path runs its cases on: with the feature, and without. */
export function runtimesFor(feature: GPUFeatureName): readonly (readonly [string, () => Promise<Runtime>])[] {
  return [
    [`with ${feature}`, testRuntime],
    [`without ${feature}`, () => testRuntimeWithout(feature)],
  ];
}
