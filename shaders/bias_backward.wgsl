// bias_backward: dbias[n] (+)= Σ_rows dout[row, n], the bias gradient of a linear layer.
// Each workgroup owns COLS columns: its SLICES rows of invocations each sum every SLICES-th row of a column,
// then the first row adds the partials and writes the column once (no atomics). The launcher caps N at
// 65535 workgroups of columns (2,097,120), far beyond any bias, so the grid stays 1-D.

override ROWS: u32;
override N: u32;
override ACCUMULATE: bool = true; // parameter gradients accumulate

const COLS = 32u;   // columns per workgroup (consecutive invocations read consecutive columns)
const SLICES = 8u;  // invocations splitting the rows of one column

@group(0) @binding(0) var<storage, read_write> dbias: array<f32>; // (N)
@group(0) @binding(1) var<storage, read> dout: array<f32>;        // (ROWS, N)

var<workgroup> partial: array<f32, SLICES * COLS>; // [slice][column]

@compute @workgroup_size(COLS, SLICES)
fn bias_backward(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
) {
  let col = wid.x * COLS + lid.x;
  var sum = 0.0;
  if (col < N) {
    for (var row = lid.y; row < ROWS; row += SLICES) {
      sum += dout[row * N + col];
    }
  }
  partial[lid.y * COLS + lid.x] = sum;
  workgroupBarrier();
  if (lid.y == 0u && col < N) {
    var total = 0.0;
    for (var s = 0u; s < SLICES; s++) {
      total += partial[s * COLS + lid.x];
    }
    if (ACCUMULATE) {
      total += dbias[col];
    }
    dbias[col] = total;
  }
}
