// matmul's B operand stored as packed halves (a tensor of dtype 'f16', e.g. a frozen weight kept in 16 bits):
// prepended to matmul.wgsl for the `matmul_b16` shader. Core WGSL's unpack2x16float widens each half, so no
// shader-f16 feature is needed and the arithmetic stays f32.

@group(0) @binding(2) var<storage, read> b: array<u32>; // (batch, K, N) or (batch, N, K) halves, 2 per word

// Element i of B's storage: word i / 2, the even element in the low 16 bits.
fn b_at(i: u32) -> f32 {
  return unpack2x16float(b[i >> 1u])[i & 1u];
}
