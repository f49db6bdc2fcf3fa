// matmul's B operand stored as f32: prepended to matmul.wgsl for the `matmul` shader.

@group(0) @binding(2) var<storage, read> b: array<f32>; // (batch, K, N), or (batch, N, K) when TRANS_B

// Element i of B's storage.
fn b_at(i: u32) -> f32 {
  return b[i];
}
