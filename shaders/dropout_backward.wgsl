// dropout_backward: dx (+)= dout * keep / (1 - P), regenerating the forward's mask from (seed', i): the same
// arithmetic as dropout.wgsl, with the same seed, stream and P as the forward it undoes.
// Needs lib/rng.wgsl prepended (shaderWith). Twin: src/reference/dropout.ts (bit-exact).

override N: u32;        // number of elements
override P: f32;        // drop probability, in [0, 1)
override SCALE: f32;    // 1 / (1 - P), rounded to f32 on the CPU
override STREAM: u32;   // the forward's dropout site number
override ACCUMULATE: bool = false; // dx += instead of dx = (a branch's gradient joining another's)
override WG: u32 = 256; // workgroup size

struct Step {
  seed: u32, // the forward's seed for this step
}

@group(0) @binding(0) var<storage, read_write> dx: array<f32>; // (N)
@group(0) @binding(1) var<storage, read> dout: array<f32>;     // (N)
@group(0) @binding(2) var<uniform> step: Step;

@compute @workgroup_size(WG)
fn dropout_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WG; // 2-D grid for more than 65535 workgroups
  if (i >= N) {
    return;
  }
  let keep = rng_uniform(step.seed ^ rng_hash(STREAM), i) >= P;
  let g = select(0.0, dout[i] * SCALE, keep);
  if (ACCUMULATE) {
    dx[i] += g;
  } else {
    dx[i] = g;
  }
}
