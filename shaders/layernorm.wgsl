// layernorm: out = (x − mean)·rstd·weight + bias over the last dim C of (ROWS, C), biased variance as
// PyTorch, rstd = 1/sqrt(var + EPS). One workgroup per row; each invocation strides over the row and the
// workgroup reduces the partial sums (reduce_sum: lib/reduce_subgroup.wgsl or lib/reduce_workgroup.wgsl).
// Caches mean and rstd for backward. Twin: src/reference/layernorm.ts.

override ROWS: u32;       // rows (B*T)
override C: u32;          // normalized dim
override EPS: f32 = 1e-5; // RoBERTa's layer_norm_eps
override WG: u32 = 256;   // workgroup size, a power of two (the reduction lib's tree halves it)

@group(0) @binding(0) var<storage, read_write> out: array<f32>;  // (ROWS, C)
@group(0) @binding(1) var<storage, read_write> mean: array<f32>; // (ROWS)
@group(0) @binding(2) var<storage, read_write> rstd: array<f32>; // (ROWS)
@group(0) @binding(3) var<storage, read> inp: array<f32>;        // (ROWS, C)
@group(0) @binding(4) var<storage, read> weight: array<f32>;     // (C)
@group(0) @binding(5) var<storage, read> bias: array<f32>;       // (C)

@compute @workgroup_size(WG)
fn layernorm(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = wid.x + wid.y * groups.x; // 2-D grid for more than 65535 rows
  if (row >= ROWS) {
    return; // uniform across the workgroup: the reductions below stay in uniform control flow
  }
  let base = row * C;
  var sum = 0.0;
  for (var c = lid; c < C; c += WG) {
    sum += inp[base + c];
  }
  let m = reduce_sum(sum, lid) / f32(C);
  // Second pass over centered values: no cancellation in E[x²] − E[x]².
  var sq = 0.0;
  for (var c = lid; c < C; c += WG) {
    let d = inp[base + c] - m;
    sq += d * d;
  }
  let s = inverseSqrt(reduce_sum(sq, lid) / f32(C) + EPS);
  for (var c = lid; c < C; c += WG) {
    out[base + c] = (inp[base + c] - m) * s * weight[c] + bias[c];
  }
  if (lid == 0u) {
    mean[row] = m;
    rstd[row] = s;
  }
}
