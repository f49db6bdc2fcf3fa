// cross_entropy: mean over rows of logsumexp(logits_r) − logits_r[target_r], the in-batch contrastive loss
// of code search (logits = nl·codeᵀ, targets the diagonal) or any (R, C) classification.
// Pass `cross_entropy`: one workgroup per row writes the row's loss and its logsumexp (saved for backward).
// Pass `cross_entropy_mean`: one workgroup averages the row losses into loss[0] (no atomics).
// A target ≥ C gives a NaN row loss, so a bad batch shows up in the loss instead of reading another row.

override R: u32;        // rows
override C: u32;        // columns (classes)
override WG: u32 = 64;  // workgroup size; a power of two for the tree reductions, at most 64

@group(0) @binding(0) var<storage, read_write> loss: array<f32>;   // (1) the mean
@group(0) @binding(1) var<storage, read_write> losses: array<f32>; // (R)
@group(0) @binding(2) var<storage, read_write> lse: array<f32>;    // (R) logsumexp per row, for backward
@group(0) @binding(3) var<storage, read> logits: array<f32>;       // (R, C)
@group(0) @binding(4) var<storage, read> targets: array<u32>;      // (R)

var<workgroup> scratch: array<f32, WG>;

// Tree reduction (max when `take_max`, else sum) of one value per invocation; every invocation gets the result.
fn tree_reduce(lid: u32, value: f32, take_max: bool) -> f32 {
  scratch[lid] = value;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      let other = scratch[lid + s];
      scratch[lid] = select(scratch[lid] + other, max(scratch[lid], other), take_max);
    }
    workgroupBarrier();
  }
  let result = scratch[0];
  workgroupBarrier(); // everyone has read scratch[0] before the next reduction overwrites it
  return result;
}

@compute @workgroup_size(WG)
fn cross_entropy(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let row = wid.x + wid.y * groups.x; // 2-D grid for more than 65535 rows
  if (row >= R) {
    return;
  }
  let base = row * C;
  var m = -0x1.fffffep+127f; // the lowest f32 (WGSL has no -inf)
  for (var j = lid; j < C; j += WG) {
    m = max(m, logits[base + j]);
  }
  let row_max = tree_reduce(lid, m, true);
  // Shifted by the row max so exp never overflows, whatever the scale of the scores.
  var s = 0.0;
  for (var j = lid; j < C; j += WG) {
    s += exp(logits[base + j] - row_max);
  }
  let total = tree_reduce(lid, s, false);
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
fn cross_entropy_mean(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var i = lid; i < R; i += WG) {
    acc += losses[i];
  }
  let total = tree_reduce(lid, acc, false);
  if (lid == 0u) {
    loss[0] = total / f32(R);
  }
}
