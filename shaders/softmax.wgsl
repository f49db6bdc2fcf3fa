// softmax: out = exp(x − max)/Σ exp(x − max) over the last dim C of (ROWS, C); subtracting the row max
// keeps exp from overflowing. One workgroup per row reduces the max and the sum (reduce_max, reduce_sum and
// LOWEST: lib/reduce_subgroup.wgsl or lib/reduce_workgroup.wgsl). Twin: src/reference/softmax.ts.

override ROWS: u32;     // rows
override C: u32;        // softmax dim
override WG: u32 = 256; // workgroup size, a power of two (the reduction lib's tree halves it)

@group(0) @binding(0) var<storage, read_write> out: array<f32>; // (ROWS, C)
@group(0) @binding(1) var<storage, read> inp: array<f32>;       // (ROWS, C)

@compute @workgroup_size(WG)
fn softmax(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = wid.x + wid.y * groups.x; // 2-D grid for more than 65535 rows
  if (row >= ROWS) {
    return; // uniform across the workgroup: the reductions below stay in uniform control flow
  }
  let base = row * C;
  var m = LOWEST;
  for (var c = lid; c < C; c += WG) {
    m = max(m, inp[base + c]);
  }
  m = reduce_max(m, lid);
  var sum = 0.0;
  for (var c = lid; c < C; c += WG) {
    sum += exp(inp[base + c] - m);
  }
  sum = reduce_sum(sum, lid);
  for (var c = lid; c < C; c += WG) {
    out[base + c] = exp(inp[base + c] - m) / sum;
  }
}
