// l2_normalize: out = x / max(||x||, EPS) over the last dim C of (N, C), as torch.nn.functional.normalize.
// One workgroup per row; each invocation strides over the row and the workgroup reduces the sum of squares
// (reduce_sum: lib/reduce_subgroup.wgsl or lib/reduce_workgroup.wgsl). Saves the unclamped norms for the
// backward. Twin: src/reference/l2_normalize.ts.

override N: u32;           // rows
override C: u32;           // normalized dim
override EPS: f32 = 1e-12; // F.normalize's default
override WG: u32 = 256;    // workgroup size, a power of two (the reduction lib's tree halves it)

@group(0) @binding(0) var<storage, read_write> out: array<f32>;  // (N, C)
@group(0) @binding(1) var<storage, read_write> norm: array<f32>; // (N) ||x|| before clamping
@group(0) @binding(2) var<storage, read> x: array<f32>;          // (N, C)

@compute @workgroup_size(WG)
fn l2_normalize(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = wid.x + wid.y * groups.x; // 2-D grid for more than 65535 rows
  if (row >= N) {
    return; // uniform across the workgroup: the reduction below stays in uniform control flow
  }
  let base = row * C;
  var sq = 0.0;
  for (var c = lid; c < C; c += WG) {
    sq += x[base + c] * x[base + c];
  }
  let n = sqrt(reduce_sum(sq, lid));
  let denom = max(n, EPS);
  for (var c = lid; c < C; c += WG) {
    out[base + c] = x[base + c] / denom;
  }
  if (lid == 0u) {
    norm[row] = n;
  }
}
