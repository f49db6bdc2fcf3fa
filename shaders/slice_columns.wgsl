// slice_columns: out (ROWS, W) = inp[:, OFF : OFF + W] of inp (ROWS, IN_W) — e.g. one layer's key rows out of
// the prefix MLP's (P, 2·L·C) output. Twin: src/reference/slice_columns.ts.

override ROWS: u32;     // rows
override W: u32;        // columns copied
override IN_W: u32;     // columns of the input
override OFF: u32;      // first input column copied
override WG: u32 = 256; // workgroup size

@group(0) @binding(0) var<storage, read_write> out: array<f32>; // (ROWS, W)
@group(0) @binding(1) var<storage, read> inp: array<f32>;       // (ROWS, IN_W)

@compute @workgroup_size(WG)
fn slice_columns(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= ROWS * W) {
    return;
  }
  let r = i / W;
  out[i] = inp[r * IN_W + OFF + i % W];
}
