// channel_scale_backward: ds[c] += Σ_rows dy[row, c] · x[row, c], the gradient of a per-channel scale, through
// the column sum of lib/column_sum.wgsl (one workgroup per 32 channels). The input gradient dy ⊙ s is the
// forward kernel again (channel_scale).

override ROWS: u32;
override N: u32; // channels

@group(0) @binding(0) var<storage, read_write> ds: array<f32>; // (N) +=
@group(0) @binding(1) var<storage, read> dy: array<f32>;       // (ROWS, N)
@group(0) @binding(2) var<storage, read> x: array<f32>;        // (ROWS, N)

fn column_term(row: u32, col: u32) -> f32 {
  return dy[row * N + col] * x[row * N + col];
}

@compute @workgroup_size(COLS, SLICES)
fn channel_scale_backward(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
) {
  let col = wid.x * COLS + lid.x;
  let total = column_sum(col, lid);
  if (lid.y == 0u && col < N) {
    ds[col] += total;
  }
}
