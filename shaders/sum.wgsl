// sum: out = Σ inp, in two passes without atomics.
// Pass `sum`: workgroup w adds its TILE = WG·ITEMS consecutive elements and writes partials[w].
// Pass `sum_final`: one workgroup adds the P partials and writes out[0].
// The first pass is lib/tile_sum.wgsl's; the workgroup sums are lib/reduce.wgsl's (subgroups where the device has them); the summation order is
// fixed for a device, so the result is the same on every run.

override N: u32;         // number of elements
override P: u32;         // number of partials, ceil(N / (WG·ITEMS))
override ITEMS: u32 = 8; // elements each invocation adds in the first pass
override WG: u32 = 256;  // workgroup size; a power of two (the workgroup reduction halves it)

@group(0) @binding(0) var<storage, read_write> out: array<f32>;      // (1)
@group(0) @binding(1) var<storage, read_write> partials: array<f32>; // (P)
@group(0) @binding(2) var<storage, read> inp: array<f32>;            // (N)

fn tile_term(i: u32) -> f32 {
  return inp[i];
}

@compute @workgroup_size(WG)
fn sum(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let group = wid.x + wid.y * groups.x; // 2-D grid for more than 65535 workgroups
  let total = tile_sum(lid, group);
  if (lid == 0u && group < P) {
    partials[group] = total;
  }
}

@compute @workgroup_size(WG)
fn sum_final(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var i = lid; i < P; i += WG) {
    acc += partials[i];
  }
  let total = reduce_sum(acc, lid);
  if (lid == 0u) {
    out[0] = total;
  }
}
