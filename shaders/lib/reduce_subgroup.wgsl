enable subgroups;

// Row reductions with subgroup operations, for devices with the `subgroups` feature: each subgroup reduces
// its lanes in registers, its first lane stores the subgroup's partial in workgroup memory, then every
// subgroup reduces the stored partials: two barriers whatever WG, where the tree takes 2 + log2(WG).
// Implements `reduce_row` for lib/reduce.wgsl, like lib/reduce_workgroup.wgsl; the launcher prepends one or the other. The including
// shader declares `override WG: u32` (its workgroup size) and calls these from every invocation, in
// uniform control flow (as the subgroup operations require); every invocation gets the result.
//
// Only what WebGPU promises is assumed: the subgroup size varies by device (4 on SwiftShader, 32 on NVIDIA,
// 32 or 64 on AMD, 8 to 32 on Intel) and may exceed WG, and which invocations share a subgroup is
// unspecified (consecutive local indices in practice, not by contract). So a partial is stored at its
// first lane's own local index with the identity in every other slot, and the second stage reads all WG
// slots, each lane a strided share. Lane index and count are taken over the active lanes, so a subgroup
// that is not full (WG smaller than the subgroup size) is handled too. Subgroups of equal size sum the
// partials in the same order, so every invocation gets the same bits.

fn reduce_subgroup(v: vec2f, take_max: bool) -> vec2f {
  if (take_max) {
    return subgroupMax(v);
  }
  return subgroupAdd(v);
}

fn reduce_row(v: vec2f, lid: u32, take_max: bool) -> vec2f {
  let identity = select(vec2f(0.0), vec2f(LOWEST), take_max);
  let lane = subgroupExclusiveAdd(1u); // 0, 1, ... over the subgroup's active lanes
  let lanes = subgroupAdd(1u);
  reduce_scratch[lid] = select(identity, reduce_subgroup(v, take_max), lane == 0u);
  workgroupBarrier();
  var acc = identity;
  for (var i = lane; i < WG; i += lanes) {
    let p = reduce_scratch[i];
    acc = select(acc + p, max(acc, p), take_max);
  }
  let total = reduce_subgroup(acc, take_max);
  workgroupBarrier(); // everyone has read the partials before reduce_scratch is reused
  return total;
}
