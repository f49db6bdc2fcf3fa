// layernorm_backward: the gradients of layernorm from the cached mean and rstd, n = (x − mean)·rstd.
//   layernorm_backward         dinp = rstd·(g − mean(g) − n·mean(g·n)), g = dout·weight
//                              (one workgroup per row, reduce_sum2 from lib/reduce_*.wgsl; written, or
//                              added when ACCUMULATE)
//   layernorm_backward_params  dweight += Σ_rows dout·n, dbias += Σ_rows dout
//                              (each workgroup owns COLS columns and reduces over rows: no atomics)
// Both entry points share one binding list. It is llm.c's order except that dweight and dbias come last:
// the row pass binds only the first six, so a frozen LayerNorm (no parameter gradients) binds no scratch.
// Twin: src/reference/layernorm.ts.

override ROWS: u32;                // rows (B*T)
override C: u32;                   // normalized dim
override WG: u32 = 256;            // row-pass workgroup size, a power of two (the reduction lib's tree halves it)
override ACCUMULATE: bool = false; // dinp += instead of dinp =

@group(0) @binding(0) var<storage, read_write> dinp: array<f32>;    // (ROWS, C)
@group(0) @binding(1) var<storage, read> dout: array<f32>;          // (ROWS, C)
@group(0) @binding(2) var<storage, read> inp: array<f32>;           // (ROWS, C)
@group(0) @binding(3) var<storage, read> weight: array<f32>;        // (C)
@group(0) @binding(4) var<storage, read> mean: array<f32>;          // (ROWS)
@group(0) @binding(5) var<storage, read> rstd: array<f32>;          // (ROWS)
@group(0) @binding(6) var<storage, read_write> dweight: array<f32>; // (C), params pass only
@group(0) @binding(7) var<storage, read_write> dbias: array<f32>;   // (C), params pass only

@compute @workgroup_size(WG)
fn layernorm_backward(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = wid.x + wid.y * groups.x; // 2-D grid for more than 65535 rows
  if (row >= ROWS) {
    return; // uniform across the workgroup: the reduction below stays in uniform control flow
  }
  let base = row * C;
  let m = mean[row];
  let s = rstd[row];
  var acc = vec2f(0.0);
  for (var c = lid; c < C; c += WG) {
    let n = (inp[base + c] - m) * s;
    let g = dout[base + c] * weight[c];
    acc += vec2f(g, g * n);
  }
  let means = reduce_sum2(acc, lid) / f32(C); // (mean(g), mean(g·n))
  for (var c = lid; c < C; c += WG) {
    let n = (inp[base + c] - m) * s;
    let g = dout[base + c] * weight[c];
    let dx = s * (g - means.x - n * means.y);
    if (ACCUMULATE) {
      dinp[base + c] += dx;
    } else {
      dinp[base + c] = dx;
    }
  }
}

const COLS = 32u; // params pass: columns per workgroup (consecutive, so row reads coalesce)
const LANES = 8u; // params pass: rows in flight per column, a power of two
const BLOCK = 64u; // params pass: terms per lane summed apart before joining the total

var<workgroup> col_scratch: array<vec2f, COLS * LANES>; // (LANES, COLS) partial (Σ dout·n, Σ dout)

@compute @workgroup_size(COLS, LANES)
fn layernorm_backward_params(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
) {
  let c = (wid.x + wid.y * groups.x) * COLS + lid.x;
  var acc = vec2f(0.0);
  if (c < C) {
    // Blocked summation: each block of BLOCK terms is summed on its own and then added to the total, so
    // the f32 rounding grows with BLOCK + rows/(LANES·BLOCK) rather than with rows/LANES.
    for (var start = lid.y; start < ROWS; start += LANES * BLOCK) {
      var block = vec2f(0.0);
      for (var r = start; r < min(ROWS, start + LANES * BLOCK); r += LANES) {
        let d = dout[r * C + c];
        block += vec2f(d * (inp[r * C + c] - mean[r]) * rstd[r], d);
      }
      acc += block;
    }
  }
  let i = lid.y * COLS + lid.x;
  col_scratch[i] = acc;
  workgroupBarrier();
  for (var stride = LANES / 2u; stride > 0u; stride >>= 1u) {
    if (lid.y < stride) {
      col_scratch[i] += col_scratch[i + stride * COLS];
    }
    workgroupBarrier();
  }
  if (lid.y == 0u && c < C) {
    dweight[c] += col_scratch[i].x;
    dbias[c] += col_scratch[i].y;
  }
}
