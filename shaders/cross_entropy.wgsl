// cross_entropy: Σ_r weights_r · (logsumexp(logits_r) − logits_r[target_r]), the in-batch contrastive loss
// of code search (logits = nl·codeᵀ, targets the diagonal) or any (R, C) classification. Weights 1/R give the
// mean; w[target_r] / Σ_s w[target_s] PyTorch's class-weighted mean (cross_entropy(weight=w)).
// CPU twin: src/reference/cross_entropy.ts.
// Pass `cross_entropy`: one workgroup per row writes the row's loss and its logsumexp (saved for backward).
// Pass `cross_entropy_total`: one workgroup sums the weighted row losses into loss[0] (no atomics).
// Both reduce over the workgroup with reduce_max / reduce_sum and LOWEST from lib/reduce_subgroup.wgsl or
// lib/reduce_workgroup.wgsl.
// A target ≥ C gives a NaN row loss, so a bad batch shows up in the loss instead of reading another row.

override R: u32;        // rows
override C: u32;        // columns (classes)
override WG: u32 = 64;  // workgroup size, at most 64; a power of two (the reduction lib's tree halves it)

@group(0) @binding(0) var<storage, read_write> loss: array<f32>;   // (1) the mean
@group(0) @binding(1) var<storage, read_write> losses: array<f32>; // (R)
@group(0) @binding(2) var<storage, read_write> lse: array<f32>;    // (R) logsumexp per row, for backward
@group(0) @binding(3) var<storage, read> logits: array<f32>;       // (R, C)
@group(0) @binding(4) var<storage, read> targets: array<u32>;      // (R)
@group(0) @binding(5) var<storage, read> weights: array<f32>;      // (R) each row's weight in the loss

@compute @workgroup_size(WG)
fn cross_entropy(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let row = wid.x + wid.y * groups.x; // 2-D grid for more than 65535 rows
  if (row >= R) {
    return; // uniform across the workgroup: the reductions below stay in uniform control flow
  }
  let base = row * C;
  var m = LOWEST;
  for (var j = lid; j < C; j += WG) {
    m = max(m, logits[base + j]);
  }
  let row_max = reduce_max(m, lid);
  // Shifted by the row max so exp never overflows, whatever the scale of the scores.
  var s = 0.0;
  for (var j = lid; j < C; j += WG) {
    s += exp(logits[base + j] - row_max);
  }
  let total = reduce_sum(s, lid);
  if (lid == 0u) {
    let l = row_max + log(total);
    lse[row] = l;
    let t = targets[row];
    if (t < C) {
      losses[row] = l - logits[base + t];
    } else {
      losses[row] = bitcast<f32>(bitcast<u32>(l) | 0x7fc00000u); // a quiet NaN: WGSL has no NaN constant
    }
  }
}

@compute @workgroup_size(WG)
fn cross_entropy_total(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var i = lid; i < R; i += WG) {
    acc += weights[i] * losses[i];
  }
  let total = reduce_sum(acc, lid);
  if (lid == 0u) {
    loss[0] = total;
  }
}
