// adamw: one torch.optim.AdamW step (decoupled weight decay) over a flat buffer of N parameters:
//   g = grad · clip_coef;  p ← p·(1 − lr·wd);  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;
//   p ← p − (lr / bc1) · m / (sqrt(v) / sqrt(bc2) + eps),  bc1 = 1 − β1^t, bc2 = 1 − β2^t.
// Gradient clipping happens here: clip_coef comes from clip_grad_norm.wgsl, so the gradients are never
// rescaled in a pass of their own. A NaN clip_coef (non-finite gradient norm) turns the parameters NaN.
// The hyperparameters are a uniform the trainer rewrites each step (adamwUniform); weight decay differs per
// parameter group, so the engine runs one dispatch per group with its own uniform. Zero padding between
// tensors stays zero: its gradient, moments and update are all 0.

// β1 and β2 travel as their complements: f32(0.999) is 1.3e-5 relative off in 1 − β2, while
// β2 = 1 − f32(0.001) is off by one ulp.
struct Hyper {
  lr: f32,
  one_minus_beta1: f32,
  one_minus_beta2: f32,
  eps: f32,
  weight_decay: f32,
  bc1: f32, // 1 − β1^t
  bc2: f32, // 1 − β2^t
  pad: f32,
}

override N: u32;        // number of parameters in the group
override WG: u32 = 256; // workgroup size

@group(0) @binding(0) var<storage, read_write> params: array<f32>; // (N)
@group(0) @binding(1) var<storage, read_write> m: array<f32>;      // (N) first moment
@group(0) @binding(2) var<storage, read_write> v: array<f32>;      // (N) second moment
@group(0) @binding(3) var<storage, read> grads: array<f32>;        // (N)
@group(0) @binding(4) var<storage, read> norm: array<f32>;         // (2) [total_norm, clip_coef]
@group(0) @binding(5) var<uniform> hp: Hyper;                      // (8) rewritten every step

@compute @workgroup_size(WG)
fn adamw(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WG; // 2-D grid for more than 65535 workgroups
  if (i >= N) {
    return;
  }
  let g = grads[i] * norm[1];
  let mi = (1.0 - hp.one_minus_beta1) * m[i] + hp.one_minus_beta1 * g;
  let vi = (1.0 - hp.one_minus_beta2) * v[i] + hp.one_minus_beta2 * g * g;
  m[i] = mi;
  v[i] = vi;
  let decayed = params[i] * (1.0 - hp.lr * hp.weight_decay);
  params[i] = decayed - (hp.lr / hp.bc1) * mi / (sqrt(vi) / sqrt(hp.bc2) + hp.eps);
}
