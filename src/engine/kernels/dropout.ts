import code from '../../../shaders/dropout.wgsl?raw';
import { shapeError } from '../gpu/errors';
import type { ShaderSource } from '../gpu/pipelines';
import type { Dispatch, Runtime } from '../gpu/runtime';
import { ELEMENTWISE_WG, grid1d } from '../gpu/runtime';
import { sizeOf, type Tensor } from '../gpu/tensor';
import { dropoutConstants } from '../../ops/dropout';
import { expectNumel } from './check';
import { shaderWith } from './lib';

const shader = shaderWith('dropout', code, 'rng');
const WG = ELEMENTWISE_WG;

/** Where a dropout site draws its mask: the per-step seed uniform and the site's own stream number. */
export interface DropoutSite {
  /** rt.uniform(1): the step's u32 seed, rewritten every step (rt.write with a Uint32Array). */
  readonly seed: Tensor;
  /** Distinct per dropout site, so sites sharing one seed draw independent masks. */
  readonly stream: number;
}

/** out = x · keep / (1 − p), keep = rngUniform(seed ^ rngHash(stream), i) >= p. out, x (N). */
export function dropout(rt: Runtime, out: Tensor, x: Tensor, site: DropoutSite, p: number): Dispatch {
  return maskedLaunch(rt, shader, out, x, site, p);
}

/** The launch dropout and dropout_backward share: same constants and bindings, each its own shader. */
export function maskedLaunch(
  rt: Runtime,
  source: ShaderSource,
  out: Tensor,
  x: Tensor,
  site: DropoutSite,
  p: number,
  extra: Readonly<Record<string, boolean>> = {},
): Dispatch {
  const n = sizeOf(out);
  expectNumel(source.name, 'input', x, n);
  if (!Number.isInteger(site.stream) || site.stream < 0 || site.stream > 0xffffffff) {
    throw shapeError(source.name, `stream must be a u32, got ${site.stream}`);
  }
  const { P, SCALE } = dropoutConstants(p);
  return rt.kernel({
    shader: source,
    constants: { N: n, P, SCALE, STREAM: site.stream, WG, ...extra },
    bindings: [
      [out, 'write'],
      [x, 'read'],
      [site.seed, 'uniform'],
    ],
    workgroups: grid1d(n, WG),
    flops: n,
  });
}
