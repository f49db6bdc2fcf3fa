// Row reductions over a workgroup, for devices without subgroups: a tree in workgroup memory, log2(WG)
// barrier steps. Same functions as lib/reduce_subgroup.wgsl; the launcher prepends one or the other.
// The including shader declares `override WG: u32` (its workgroup size, a power of two: the tree halves it)
// and calls these from every invocation, in uniform control flow; every invocation gets the result.

const LOWEST = -0x1.fffffep+127f; // the identity of max; WGSL has no -inf literal

// Two lanes, so one implementation serves sums, maxima and pairs of sums (the y lane idles in the scalar ones).
var<workgroup> reduce_scratch: array<vec2f, WG>; // (WG) partials

fn reduce_sum(v: f32, lid: u32) -> f32 {
  return reduce_row(vec2f(v, 0.0), lid, false).x;
}

fn reduce_max(v: f32, lid: u32) -> f32 {
  return reduce_row(vec2f(v, LOWEST), lid, true).x;
}

fn reduce_sum2(v: vec2f, lid: u32) -> vec2f {
  return reduce_row(v, lid, false);
}

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
