// activation_backward: dinp = dout ⊙ act'(inp), elementwise; written, or added when ACCUMULATE.
// Compiled after shaders/lib/activation.wgsl (act_grad). Twin: src/reference/activation.ts.

override N: u32;                   // number of elements
override ACT: u32;                 // activation kind (0 GELU, 1 ReLU, 2 Swish/SiLU, 3 tanh)
override WG: u32 = 256;            // workgroup size
override ACCUMULATE: bool = false; // dinp += instead of dinp =

@group(0) @binding(0) var<storage, read_write> dinp: array<f32>; // (N)
@group(0) @binding(1) var<storage, read> dout: array<f32>;       // (N)
@group(0) @binding(2) var<storage, read> inp: array<f32>;        // (N) the forward's input

@compute @workgroup_size(WG)
fn activation_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WG; // 2-D grid for more than 65535 workgroups
  if (i >= N) {
    return;
  }
  let dx = dout[i] * act_grad(inp[i], ACT);
  if (ACCUMULATE) {
    dinp[i] += dx;
  } else {
    dinp[i] = dx;
  }
}
