// pooling_backward: dh (B*T, C) from dout (B, C), written for every row (the engine does not clear it):
//   MODE 0 (cls)   dh[b*T] = dout[b], every other row 0
//   MODE 1 (mean)  dh[b*T+t] = dout[b] / count_b where mask[b,t] != 0, else 0
// One invocation per (b, c) walks the T rows of its column, launched as a (ceil(C/WG), B) grid.
// Twin: src/reference/pooling.ts.

override B: u32;        // batch
override T: u32;        // sequence length
override C: u32;        // hidden size
override MODE: u32;     // 0 = cls, 1 = masked mean
override WG: u32 = 256; // workgroup size

@group(0) @binding(0) var<storage, read_write> dh: array<f32>; // (B*T, C)
@group(0) @binding(1) var<storage, read> dout: array<f32>;     // (B, C)
@group(0) @binding(2) var<storage, read> mask: array<u32>;     // (B, T) nonzero = token, 0 = padding

@compute @workgroup_size(WG)
fn pooling_backward(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.x;
  let b = gid.y;
  if (c >= C || b >= B) {
    return;
  }
  var count = 1u;
  if (MODE == 1u) {
    count = 0u;
    for (var t = 0u; t < T; t++) {
      count += select(0u, 1u, mask[b * T + t] != 0u);
    }
  }
  // count is at least 1 whenever a row is read, so the division is only done where it is defined.
  let g = dout[b * C + c] / f32(max(count, 1u));
  for (var t = 0u; t < T; t++) {
    let read = select(mask[b * T + t] != 0u, t == 0u, MODE == 0u);
    dh[(b * T + t) * C + c] = select(0.0, g, read);
  }
}
