// l2_normalize_backward: dx (N, C), written, from dout and the forward's out and norm:
//   norm >= EPS  dx = (dout − out·(out·dout)) / norm
//   norm <  EPS  dx = dout / EPS (out = x / EPS was linear in x; PyTorch's clamp_min passes at equality)
// One workgroup per row reduces out·dout (reduce_sum: lib/reduce_subgroup.wgsl or lib/reduce_workgroup.wgsl).
// Twin: src/reference/l2_normalize.ts.

override N: u32;           // rows
override C: u32;           // normalized dim
override EPS: f32 = 1e-12; // must equal the forward's
override WG: u32 = 256;    // workgroup size, a power of two (the reduction lib's tree halves it)

@group(0) @binding(0) var<storage, read_write> dx: array<f32>; // (N, C)
@group(0) @binding(1) var<storage, read> dout: array<f32>;     // (N, C)
@group(0) @binding(2) var<storage, read> out: array<f32>;      // (N, C) the forward's output
@group(0) @binding(3) var<storage, read> norm: array<f32>;     // (N) the forward's unclamped norms

@compute @workgroup_size(WG)
fn l2_normalize_backward(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let row = wid.x + wid.y * groups.x; // 2-D grid for more than 65535 rows
  if (row >= N) {
    return; // uniform across the workgroup: the reduction below stays in uniform control flow
  }
  let base = row * C;
  var acc = 0.0;
  for (var c = lid; c < C; c += WG) {
    acc += out[base + c] * dout[base + c];
  }
  let d = reduce_sum(acc, lid);
  let n = norm[row];
  for (var c = lid; c < C; c += WG) {
    let g = dout[base + c];
    dx[base + c] = select(g / EPS, (g - out[base + c] * d) / n, n >= EPS);
  }
}
