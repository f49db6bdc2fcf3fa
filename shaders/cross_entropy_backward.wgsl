// cross_entropy_backward: dlogits[r, c] = dloss · weights_r · (softmax(logits_r)_c − [c = target_r]), written
// (an activation gradient). The softmax comes from the logsumexp the forward saved: exp(logits − lse).
// CPU twin: src/reference/cross_entropy.ts.

override R: u32;        // rows
override C: u32;        // columns (classes)
override WG: u32 = 256; // workgroup size

@group(0) @binding(0) var<storage, read_write> dlogits: array<f32>; // (R, C)
@group(0) @binding(1) var<storage, read> dloss: array<f32>;         // (1) gradient of the mean loss, normally 1
@group(0) @binding(2) var<storage, read> logits: array<f32>;        // (R, C)
@group(0) @binding(3) var<storage, read> lse: array<f32>;           // (R) saved by the forward
@group(0) @binding(4) var<storage, read> targets: array<u32>;       // (R)
@group(0) @binding(5) var<storage, read> weights: array<f32>;       // (R) the forward's row weights

@compute @workgroup_size(WG)
fn cross_entropy_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WG; // 2-D grid for more than 65535 workgroups
  if (i >= R * C) {
    return;
  }
  let row = i / C;
  let col = i % C;
  let p = exp(logits[i] - lse[row]);
  let onehot = select(0.0, 1.0, col == targets[row]);
  dlogits[i] = dloss[0] * weights[row] * (p - onehot);
}
