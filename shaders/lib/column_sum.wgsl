// Column sums over rows: column_sum(col, lid) = Σ_row column_term(row, col), the reduction of the parameter
// gradients of per-column parameters (a linear's bias, an (IA)³ scale). The including shader declares
// `override ROWS: u32`, `override N: u32` (columns) and `fn column_term(row: u32, col: u32) -> f32`, runs
// @workgroup_size(COLS, SLICES) with one workgroup per COLS columns, and calls column_sum from every invocation
// (it holds a barrier). Each of SLICES rows of invocations sums every SLICES-th row of its column; the lid.y == 0
// invocations get the column's total (the others 0) and write it once: no atomics.

// The tile comes from the launcher (src/engine/kernels/column_sum.ts), which also sizes the grid by it.
override COLS: u32;   // columns per workgroup (consecutive invocations read consecutive columns)
override SLICES: u32; // invocations splitting the rows of one column

var<workgroup> column_partial: array<f32, SLICES * COLS>; // [slice][column]

fn column_sum(col: u32, lid: vec3u) -> f32 {
  var sum = 0.0;
  if (col < N) {
    for (var row = lid.y; row < ROWS; row += SLICES) {
      sum += column_term(row, col);
    }
  }
  column_partial[lid.y * COLS + lid.x] = sum;
  workgroupBarrier();
  var total = 0.0;
  if (lid.y == 0u) {
    for (var s = 0u; s < SLICES; s++) {
      total += column_partial[s * COLS + lid.x];
    }
  }
  return total;
}
