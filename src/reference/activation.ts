import type { Activation } from '../ops/activation';
import type { Vec } from './types';

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * erf to ~1e-15 absolute in float64, the yardstick for the shader's f32 approximation. Uses the series
 * erf(x) = 2/√π·e^{−x²}·Σ 2ⁿx^{2n+1}/(1·3·…·(2n+1)), whose terms are all positive (no cancellation).
 */
export function erf(x: number): number {
  const a = Math.abs(x);
  if (a >= 6) return Math.sign(x); // erfc(6) ≈ 2e-17: below half an ulp of 1
  let term = a;
  let sum = a;
  for (let n = 0; term > 1e-17 * sum; n++) {
    term *= (2 * a * a) / (2 * n + 3);
    sum += term;
  }
  return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * Math.exp(-a * a) * sum;
}

/** GELU, erf form as PyTorch nn.GELU() / HF "gelu": x·Φ(x). */
export function gelu(x: number): number {
  return 0.5 * x * (1 + erf(x * SQRT1_2));
}

/** d/dx x·Φ(x) = Φ(x) + x·φ(x). */
export function geluGrad(x: number): number {
  return 0.5 * (1 + erf(x * SQRT1_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

export function sigmoid(x: number): number {
  const e = Math.exp(-Math.abs(x)); // never overflows
  return x >= 0 ? 1 / (1 + e) : e / (1 + e);
}

export function activate(x: number, kind: Activation): number {
  switch (kind) {
    case 'gelu':
      return gelu(x);
    case 'relu':
      return x > 0 ? x : 0;
    case 'swish':
      return x * sigmoid(x);
    case 'tanh':
      return Math.tanh(x);
  }
}

/** act'(x); ReLU's derivative at 0 is 0, as in PyTorch. */
export function activateGrad(x: number, kind: Activation): number {
  switch (kind) {
    case 'gelu':
      return geluGrad(x);
    case 'relu':
      return x > 0 ? 1 : 0;
    case 'swish': {
      const s = sigmoid(x);
      return s * (1 + x * (1 - s));
    }
    case 'tanh': {
      const t = Math.tanh(x);
      return 1 - t * t;
    }
  }
}

/** out = act(inp), elementwise over n. */
export function activation(out: Vec, inp: Vec, n: number, kind: Activation): void {
  for (let i = 0; i < n; i++) out[i] = activate(inp[i]!, kind);
}

/** dinp = dout ⊙ act'(inp) (written). */
export function activationBackward(dinp: Vec, dout: Vec, inp: Vec, n: number, kind: Activation): void {
  for (let i = 0; i < n; i++) dinp[i] = dout[i]! * activateGrad(inp[i]!, kind);
}
