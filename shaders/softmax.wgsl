// softmax: out = exp(x − max)/Σ exp(x − max) over the last dim C of (ROWS, C); subtracting the row max
// keeps exp from overflowing. One workgroup per row, tree reductions for the max and the sum.
// Twin: src/reference/softmax.ts.

override ROWS: u32;     // rows
override C: u32;        // softmax dim
override WG: u32 = 256; // workgroup size, a power of two (the tree reduction halves it)

@group(0) @binding(0) var<storage, read_write> out: array<f32>; // (ROWS, C)
@group(0) @binding(1) var<storage, read> inp: array<f32>;       // (ROWS, C)

const LOWEST = -0x1.fffffep+127f; // the identity of max; WGSL has no -inf literal

var<workgroup> scratch: array<f32, WG>; // (WG) partial maxima or sums

// Max (take_max) or sum of `v` over the workgroup; every invocation gets the result.
fn workgroup_reduce(v: f32, lid: u32, take_max: bool) -> f32 {
  scratch[lid] = v;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) {
      let other = scratch[lid + stride];
      scratch[lid] = select(scratch[lid] + other, max(scratch[lid], other), take_max);
    }
    workgroupBarrier();
  }
  let total = scratch[0];
  workgroupBarrier(); // everyone has read the result before scratch is reused
  return total;
}

@compute @workgroup_size(WG)
fn softmax(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = wid.x + wid.y * groups.x; // 2-D grid for more than 65535 rows
  if (row >= ROWS) {
    return; // uniform across the workgroup: the barriers below stay in uniform control flow
  }
  let base = row * C;
  var m = LOWEST;
  for (var c = lid; c < C; c += WG) {
    m = max(m, inp[base + c]);
  }
  m = workgroup_reduce(m, lid, true);
  var sum = 0.0;
  for (var c = lid; c < C; c += WG) {
    sum += exp(inp[base + c] - m);
  }
  sum = workgroup_reduce(sum, lid, false);
  for (var c = lid; c < C; c += WG) {
    out[base + c] = exp(inp[base + c] - m) / sum;
  }
}
