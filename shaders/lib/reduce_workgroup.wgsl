// Row reductions over a workgroup, for devices without subgroups: a tree in workgroup memory, log2(WG)
// barrier steps. Implements `reduce_row` for lib/reduce.wgsl, like lib/reduce_subgroup.wgsl; the launcher prepends one or the other.
// The including shader declares `override WG: u32` (its workgroup size, a power of two: the tree halves it)
// and calls these from every invocation, in uniform control flow; every invocation gets the result.

fn reduce_row(v: vec2f, lid: u32, take_max: bool) -> vec2f {
  reduce_scratch[lid] = v;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) {
      let a = reduce_scratch[lid];
      let b = reduce_scratch[lid + stride];
      reduce_scratch[lid] = select(a + b, max(a, b), take_max);
    }
    workgroupBarrier();
  }
  let total = reduce_scratch[0];
  workgroupBarrier(); // everyone has read the total before reduce_scratch is reused
  return total;
}
