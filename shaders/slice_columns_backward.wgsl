// slice_columns_backward: dinp[:, OFF : OFF + W] = dout (written). Only that column block is touched, so one
// launch per block of a partition writes all of dinp. Twin: src/reference/slice_columns.ts.

override ROWS: u32;     // rows
override W: u32;        // columns of dout
override IN_W: u32;     // columns of dinp
override OFF: u32;      // first dinp column written
override WG: u32 = 256; // workgroup size

@group(0) @binding(0) var<storage, read_write> dinp: array<f32>; // (ROWS, IN_W)
@group(0) @binding(1) var<storage, read> dout: array<f32>;       // (ROWS, W)

@compute @workgroup_size(WG)
fn slice_columns_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= ROWS * W) {
    return;
  }
  let r = i / W;
  dinp[r * IN_W + OFF + i % W] = dout[i];
}
