// activation: out = act(inp), elementwise; ACT picks the function (0 GELU, 1 ReLU, 2 Swish/SiLU, 3 tanh).
// Compiled after shaders/lib/activation.wgsl (act_forward). Twin: src/reference/activation.ts.

override N: u32;        // number of elements
override ACT: u32;      // activation kind
override WG: u32 = 256; // workgroup size

@group(0) @binding(0) var<storage, read_write> out: array<f32>; // (N)
@group(0) @binding(1) var<storage, read> inp: array<f32>;       // (N)

@compute @workgroup_size(WG)
fn activation(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WG; // 2-D grid for more than 65535 workgroups
  if (i >= N) {
    return;
  }
  out[i] = act_forward(inp[i], ACT);
}
