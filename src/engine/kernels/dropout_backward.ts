import code from '../../../shaders/dropout_backward.wgsl?raw';
import type { Dispatch, Runtime } from '../gpu/runtime';
import type { Tensor } from '../gpu/tensor';
import { maskedLaunch, type DropoutSite } from './dropout';
import { shaderWith } from './lib';

const shader = shaderWith('dropout_backward', code, 'rng');

export interface DropoutBackwardOptions {
  /** dx += instead of dx = (the LoRA branch's input gradient joining the base linear's). */
  readonly accumulate?: boolean;
}

/**
 * dx (+)= dout · keep / (1 − p) with the forward's mask, regenerated from the same site (seed uniform, still
 * holding this step's seed, and stream) and p. dx, dout (N).
 */
export function dropoutBackward(rt: Runtime, dx: Tensor, dout: Tensor, site: DropoutSite, p: number, options: DropoutBackwardOptions = {}): Dispatch {
  return maskedLaunch(rt, shader, dx, dout, site, p, { ACCUMULATE: options.accumulate ?? false });
}
