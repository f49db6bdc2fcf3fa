/**
 * WGSL has no #include: a shader that needs a shared helper (the dropout RNG, the activation functions, matmul's
 * B operand in f32 or packed f16) is compiled from the helper's
 * file followed by its own file. The ShaderSource keeps the op's name, so the pipeline cache and error
 * messages still speak of the op.
 */
import activation from '../../../shaders/lib/activation.wgsl?raw';
import attentionRows from '../../../shaders/lib/attention_rows.wgsl?raw';
import matmul_b_f16 from '../../../shaders/lib/matmul_b_f16.wgsl?raw';
import matmul_b_f32 from '../../../shaders/lib/matmul_b_f32.wgsl?raw';
import rng from '../../../shaders/lib/rng.wgsl?raw';
import type { ShaderSource } from '../gpu/pipelines';

export const WGSL_LIBS = { rng, activation, matmul_b_f32, matmul_b_f16, attentionRows } as const;

export function shaderWith(name: string, code: string, ...libs: (keyof typeof WGSL_LIBS)[]): ShaderSource {
  return { name, code: [...libs.map((lib) => WGSL_LIBS[lib]), code].join('\n') };
}
