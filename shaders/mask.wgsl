// mask: x ← x ⊙ m, elementwise and in place, m holding 1 (kept) or 0 (pruned).
// Pruning keeps pruned weights at exactly zero through training: the trainer masks the flat gradients before
// the norm and AdamW, so a pruned weight's gradient, moments and update stay 0 (and decay keeps 0 at 0), as
// with torch.nn.utils.prune's weight_orig · weight_mask. As a forward op y = x ⊙ m its backward is dx = dy ⊙ m:
// the same kernel.

override N: u32;        // number of elements
override WG: u32 = 256; // workgroup size

@group(0) @binding(0) var<storage, read_write> x: array<f32>; // (N) masked in place
@group(0) @binding(1) var<storage, read> m: array<f32>;       // (N) 1 = kept, 0 = pruned

@compute @workgroup_size(WG)
fn mask(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WG; // 2-D grid for more than 65535 workgroups
  if (i >= N) {
    return;
  }
  x[i] = x[i] * m[i];
}
