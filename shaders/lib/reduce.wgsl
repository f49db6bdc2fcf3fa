// The row-reduction functions every row kernel calls, over `reduce_row(v, lid, is_max)` from
// lib/reduce_subgroup.wgsl or lib/reduce_workgroup.wgsl (prepended after this file). The including shader
// declares `override WG: u32` (its workgroup size) and calls these from every invocation, in uniform control
// flow; every invocation gets the result.

const LOWEST = -0x1.fffffep+127f; // the identity of max; WGSL has no -inf literal

// Two lanes, so one implementation serves sums, maxima and pairs of sums (the y lane idles in the scalar ones).
var<workgroup> reduce_scratch: array<vec2f, WG>;

fn reduce_sum(v: f32, lid: u32) -> f32 {
  return reduce_row(vec2f(v, 0.0), lid, false).x;
}

fn reduce_max(v: f32, lid: u32) -> f32 {
  return reduce_row(vec2f(v, LOWEST), lid, true).x;
}

fn reduce_sum2(v: vec2f, lid: u32) -> vec2f {
  return reduce_row(v, lid, false);
}
