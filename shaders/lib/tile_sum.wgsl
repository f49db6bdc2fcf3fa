// The first pass of a whole-buffer reduction: workgroup `group` adds tile_term(i) over its TILE = WG·ITEMS
// consecutive elements and returns the total to every invocation (through reduce_sum of lib/reduce.wgsl),
// strided by WG so neighbouring invocations read neighbouring elements. The including shader declares
// `override N: u32` (elements), `override ITEMS: u32`, `override WG: u32` and `fn tile_term(i: u32) -> f32`,
// and calls tile_sum from every invocation in uniform control flow.

fn tile_sum(lid: u32, group: u32) -> f32 {
  let base = group * WG * ITEMS;
  var acc = 0.0;
  for (var k = 0u; k < ITEMS; k++) {
    let i = base + k * WG + lid;
    if (i < N) {
      acc += tile_term(i);
    }
  }
  return reduce_sum(acc, lid);
}
