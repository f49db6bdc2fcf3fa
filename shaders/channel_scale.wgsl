// channel_scale: out[row, c] (+)= x[row, c] · s[c], a learned scale per channel ((IA)³'s vectors). The forward
// scales a linear's input or output; the backward uses it again for the input gradient (dx = dy ⊙ s, added to
// the residual stream's gradient with ACCUMULATE). The scale's own gradient is channel_scale_backward.

override N: u32;        // number of elements (rows · C)
override C: u32;        // channels (the innermost dimension)
override ACCUMULATE: bool = false;
override WG: u32 = 256; // workgroup size

@group(0) @binding(0) var<storage, read_write> out: array<f32>; // (rows, C)
@group(0) @binding(1) var<storage, read> x: array<f32>;         // (rows, C)
@group(0) @binding(2) var<storage, read> s: array<f32>;         // (C)

@compute @workgroup_size(WG)
fn channel_scale(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WG; // 2-D grid for more than 65535 workgroups
  if (i >= N) {
    return;
  }
  let v = x[i] * s[i % C];
  out[i] = select(v, out[i] + v, ACCUMULATE);
}
