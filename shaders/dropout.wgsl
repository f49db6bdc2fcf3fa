// dropout: out = x * keep / (1 - P), keep = rng_uniform(seed', i) >= P (inverted dropout). The mask is a
// pure function of (seed', i), so dropout_backward regenerates it instead of storing it.
// Needs lib/rng.wgsl prepended (shaderWith). Twin: src/reference/dropout.ts (bit-exact).

override N: u32;        // number of elements
override P: f32;        // drop probability, in [0, 1)
override SCALE: f32;    // 1 / (1 - P), rounded to f32 on the CPU so the twin uses the same value
override STREAM: u32;   // this dropout site's number: sites draw different masks from one step seed
override WG: u32 = 256; // workgroup size

struct Step {
  seed: u32, // changes every step
}

@group(0) @binding(0) var<storage, read_write> out: array<f32>; // (N)
@group(0) @binding(1) var<storage, read> x: array<f32>;         // (N)
@group(0) @binding(2) var<uniform> step: Step;

@compute @workgroup_size(WG)
fn dropout(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WG; // 2-D grid for more than 65535 workgroups
  if (i >= N) {
    return;
  }
  // rng_hash(0) = 0: stream 0 draws from the step seed itself.
  let keep = rng_uniform(step.seed ^ rng_hash(STREAM), i) >= P;
  out[i] = select(0.0, x[i] * SCALE, keep);
}
