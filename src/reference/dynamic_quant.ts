/**
 * CPU twin of dynamic_quant.wgsl: an activation quantized to quint8 and back as quantize_dynamic's Linear does
 * (fbgemm, reduce_range: levels 0..127; ATen's ChooseQuantizationParams; q = round(x · (1/scale)) + zero point,
 * half to even). Float32 steps as the shader takes them (Math.fround after each operation).
 */
import type { Vec } from './types';

const QMAX = 127;
const SMALL_SCALE = Math.fround(6.1e-5);
const f = Math.fround;

export interface QuantParams {
  readonly scale: number;
  readonly zeroPoint: number;
  readonly min: number;
  readonly max: number;
}

/** Half to even, as WGSL's round() and C's nearbyint. */
function roundEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function quantParams(min: number, max: number): QuantParams {
  let lo = Math.min(min, 0);
  let hi = Math.max(max, 0);
  let scale = f(f(hi - lo) / QMAX);
  if (scale === 0 || !Number.isFinite(f(1 / scale))) scale = f(0.1);
  if (scale < SMALL_SCALE) {
    const amplify = f(SMALL_SCALE / scale);
    if (lo === 0) hi = f(SMALL_SCALE * QMAX);
    else if (hi === 0) lo = f(-SMALL_SCALE * QMAX);
    else [lo, hi] = [f(lo * amplify), f(hi * amplify)];
    scale = SMALL_SCALE;
  }
  const fromMin = f(0 - f(lo / scale));
  const fromMax = f(QMAX - f(hi / scale));
  const errorMin = f(0 - Math.abs(f(lo / scale)));
  const errorMax = f(QMAX - Math.abs(f(hi / scale)));
  const z = errorMin < errorMax ? fromMin : fromMax;
  return { scale, zeroPoint: Math.min(Math.max(roundEven(z), 0), QMAX), min, max };
}

export function dynamicQuant(out: Vec, inp: Vec, n: number): QuantParams {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) [min, max] = [Math.min(min, inp[i]!), Math.max(max, inp[i]!)];
  const p = quantParams(min, max);
  const inv = f(1 / p.scale);
  for (let i = 0; i < n; i++) {
    const q = Math.min(Math.max(roundEven(f(inp[i]! * inv)) + p.zeroPoint, 0), 255);
    out[i] = f((q - p.zeroPoint) * p.scale);
  }
  return p;
}
