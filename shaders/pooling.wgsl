// pooling: one vector per sequence from the last hidden states h (B*T, C).
//   MODE 0 (cls)   out[b] = h[b*T], the <s> token
//   MODE 1 (mean)  out[b] = Σ_t mask[b,t]·h[b*T+t] / count_b; a sequence with no tokens pools to 0
// One invocation per (b, c), launched as a (ceil(C/WG), B) grid; neighbours read neighbouring columns.
// Twin: src/reference/pooling.ts.

override B: u32;        // batch
override T: u32;        // sequence length
override C: u32;        // hidden size
override MODE: u32;     // 0 = cls, 1 = masked mean
override WG: u32 = 256; // workgroup size

@group(0) @binding(0) var<storage, read_write> out: array<f32>; // (B, C)
@group(0) @binding(1) var<storage, read> h: array<f32>;         // (B*T, C)
@group(0) @binding(2) var<storage, read> mask: array<u32>;      // (B, T) nonzero = token, 0 = padding

@compute @workgroup_size(WG)
fn pooling(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.x;
  let b = gid.y;
  if (c >= C || b >= B) {
    return;
  }
  if (MODE == 0u) {
    out[b * C + c] = h[b * T * C + c];
    return;
  }
  var sum = 0.0;
  var count = 0u;
  for (var t = 0u; t < T; t++) {
    if (mask[b * T + t] != 0u) {
      sum += h[(b * T + t) * C + c];
      count++;
    }
  }
  out[b * C + c] = select(0.0, sum / f32(count), count > 0u);
}
