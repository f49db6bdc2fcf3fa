// add: out = a + b, elementwise (the residual connection).
// Its backward passes dout unchanged to both inputs; the engine realizes that by letting the kernels that
// produce those gradients accumulate into them, so there is no add_backward shader.

override N: u32;        // number of elements
override WG: u32 = 256; // workgroup size

@group(0) @binding(0) var<storage, read_write> out: array<f32>; // (N)
@group(0) @binding(1) var<storage, read> a: array<f32>;         // (N)
@group(0) @binding(2) var<storage, read> b: array<f32>;         // (N)

@compute @workgroup_size(WG)
fn add(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WG; // 2-D grid for more than 65535 workgroups
  if (i >= N) {
    return;
  }
  out[i] = a[i] + b[i];
}
