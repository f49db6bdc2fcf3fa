/**
 * WGSL has no #include: a shader that needs a shared helper (the dropout RNG, the activation functions, matmul's
 * B operand in f32 or packed f16, the row reductions) is compiled from the helper's file followed by its own
 * file. The ShaderSource keeps the op's name, so the pipeline cache and error messages still speak of the op.
 */
import activation from '../../../shaders/lib/activation.wgsl?raw';
import attentionRows from '../../../shaders/lib/attention_rows.wgsl?raw';
import columnSum from '../../../shaders/lib/column_sum.wgsl?raw';
import matmul_b_f16 from '../../../shaders/lib/matmul_b_f16.wgsl?raw';
import matmul_b_f32 from '../../../shaders/lib/matmul_b_f32.wgsl?raw';
import reduce from '../../../shaders/lib/reduce.wgsl?raw';
import reduceSubgroup from '../../../shaders/lib/reduce_subgroup.wgsl?raw';
import reduceWorkgroup from '../../../shaders/lib/reduce_workgroup.wgsl?raw';
import rng from '../../../shaders/lib/rng.wgsl?raw';
import tileSum from '../../../shaders/lib/tile_sum.wgsl?raw';
import type { ShaderSource } from '../gpu/pipelines';
import type { Runtime } from '../gpu/runtime';

export const WGSL_LIBS = { rng, activation, matmul_b_f32, matmul_b_f16, attentionRows, columnSum, tileSum, reduce, reduceSubgroup, reduceWorkgroup } as const;

// WGSL wants every `enable` before the first declaration, wherever the lib that needs it lands.
const DIRECTIVE = /^enable [^;]+;[^\S\n]*$/gm;

export function shaderWith(name: string, code: string, ...libs: (keyof typeof WGSL_LIBS)[]): ShaderSource {
  const text = [...libs.map((lib) => WGSL_LIBS[lib]), code].join('\n');
  const directives = [...new Set(text.match(DIRECTIVE) ?? [])];
  return { name, code: [...directives, text.replace(DIRECTIVE, '')].join('\n') };
}

/** How a row kernel reduces over its workgroup: subgroup operations, or a tree in workgroup memory. */
export type RowReduce = 'subgroup' | 'workgroup';

/**
 * A row kernel (one workgroup per row, calling reduce_sum / reduce_max / reduce_sum2) compiled with each
 * reduction lib; the subgroup one is named `<name>_subgroups` to keep the two apart in the pipeline cache.
 * Its entry points keep the op's name, so launchers pass `entryPoint`.
 */
export function rowShaders(name: string, code: string, ...libs: (keyof typeof WGSL_LIBS)[]): Readonly<Record<RowReduce, ShaderSource>> {
  return {
    subgroup: shaderWith(`${name}_subgroups`, code, ...libs, 'reduce', 'reduceSubgroup'),
    workgroup: shaderWith(name, code, ...libs, 'reduce', 'reduceWorkgroup'),
  };
}

/** Subgroups where the device has them: `enable subgroups;` does not compile elsewhere. */
export function rowReduce(rt: Runtime): RowReduce {
  return rt.features.subgroups ? 'subgroup' : 'workgroup';
}
