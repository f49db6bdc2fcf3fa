// bias_backward: dbias[n] (+)= Σ_rows dout[row, n], the bias gradient of a linear layer, through the column
// sum of lib/column_sum.wgsl (one workgroup per 32 columns). The launcher caps N at 65535 workgroups of
// columns (2,097,120), far beyond any bias, so the grid stays 1-D.

override ROWS: u32;
override N: u32;
override ACCUMULATE: bool = true; // parameter gradients accumulate

@group(0) @binding(0) var<storage, read_write> dbias: array<f32>; // (N)
@group(0) @binding(1) var<storage, read> dout: array<f32>;        // (ROWS, N)

fn column_term(row: u32, col: u32) -> f32 {
  return dout[row * N + col];
}

@compute @workgroup_size(COLS, SLICES)
fn bias_backward(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
) {
  let col = wid.x * COLS + lid.x;
  let total = column_sum(col, lid);
  if (lid.y == 0u && col < N) {
    dbias[col] = select(total, total + dbias[col], ACCUMULATE);
  }
}
