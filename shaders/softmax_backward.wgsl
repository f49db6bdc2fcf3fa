// softmax_backward: dinp = y ⊙ (dy − Σ dy⊙y) per row of (ROWS, C), from the saved output y (written).
// One workgroup per row, a tree reduction for the dot product.
// Twin: src/reference/softmax.ts.

override ROWS: u32;     // rows
override C: u32;        // softmax dim
override WG: u32 = 256; // workgroup size, a power of two (the tree reduction halves it)

@group(0) @binding(0) var<storage, read_write> dinp: array<f32>; // (ROWS, C)
@group(0) @binding(1) var<storage, read> dout: array<f32>;       // (ROWS, C)
@group(0) @binding(2) var<storage, read> out: array<f32>;        // (ROWS, C) the forward's output y

var<workgroup> scratch: array<f32, WG>; // (WG) partial dot products

@compute @workgroup_size(WG)
fn softmax_backward(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = wid.x + wid.y * groups.x; // 2-D grid for more than 65535 rows
  if (row >= ROWS) {
    return; // uniform across the workgroup
  }
  let base = row * C;
  var dot = 0.0;
  for (var c = lid; c < C; c += WG) {
    dot += dout[base + c] * out[base + c];
  }
  scratch[lid] = dot;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) {
      scratch[lid] += scratch[lid + stride];
    }
    workgroupBarrier();
  }
  let total = scratch[0];
  for (var c = lid; c < C; c += WG) {
    dinp[base + c] = out[base + c] * (dout[base + c] - total);
  }
}
