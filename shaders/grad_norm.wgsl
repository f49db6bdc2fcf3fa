// grad_norm: partial sums of squares of the flat gradient buffer, the first half of the global gradient norm
// (clip_grad_norm.wgsl adds the partials). Workgroup w adds g² over its TILE = WG·ITEMS consecutive
// elements and writes partials[w]: no atomics, fixed summation order. Zero padding between tensors adds 0.

override N: u32;         // number of gradient elements (padding included)
override P: u32;         // number of partials, ceil(N / (WG·ITEMS))
override ITEMS: u32 = 8; // elements each invocation adds
override WG: u32 = 256;  // workgroup size; a power of two (the workgroup reduction halves it)

@group(0) @binding(0) var<storage, read_write> partials: array<f32>; // (P)
@group(0) @binding(1) var<storage, read> grads: array<f32>;          // (N)

fn tile_term(i: u32) -> f32 {
  let g = grads[i];
  return g * g;
}

@compute @workgroup_size(WG)
fn grad_norm(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let group = wid.x + wid.y * groups.x; // 2-D grid for more than 65535 workgroups
  let total = tile_sum(lid, group); // lib/tile_sum.wgsl
  if (lid == 0u && group < P) {
    partials[group] = total;
  }
}
