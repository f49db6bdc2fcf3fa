// softmax_backward: dinp = y ⊙ (dy − Σ dy⊙y) per row of (ROWS, C), from the saved output y (written).
// One workgroup per row reduces the dot product (reduce_sum: lib/reduce_subgroup.wgsl or
// lib/reduce_workgroup.wgsl). Twin: src/reference/softmax.ts.

override ROWS: u32;     // rows
override C: u32;        // softmax dim
override WG: u32 = 256; // workgroup size, a power of two (the reduction lib's tree halves it)

@group(0) @binding(0) var<storage, read_write> dinp: array<f32>; // (ROWS, C)
@group(0) @binding(1) var<storage, read> dout: array<f32>;       // (ROWS, C)
@group(0) @binding(2) var<storage, read> out: array<f32>;        // (ROWS, C) the forward's output y

@compute @workgroup_size(WG)
fn softmax_backward(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = wid.x + wid.y * groups.x; // 2-D grid for more than 65535 rows
  if (row >= ROWS) {
    return; // uniform across the workgroup: the reduction below stays in uniform control flow
  }
  let base = row * C;
  var dot = 0.0;
  for (var c = lid; c < C; c += WG) {
    dot += dout[base + c] * out[base + c];
  }
  let total = reduce_sum(dot, lid);
  for (var c = lid; c < C; c += WG) {
    dinp[base + c] = out[base + c] * (dout[base + c] - total);
  }
}
