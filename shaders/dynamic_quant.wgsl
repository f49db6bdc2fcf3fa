// dynamic_quant: an activation quantized and dequantized as torch.ao.quantization.quantize_dynamic's Linear
// does it on x86 (fbgemm, reduce_range): the input's min and max over the whole tensor, quint8 parameters for
// the range [min(min, 0), max(max, 0)] over the 7-bit levels 0..127 (ATen's ChooseQuantizationParams), then
// q = clamp(round(x · (1/scale)) + zero_point, 0, 255) and out = (q − zero_point) · scale. The matmul that
// follows on the dequantized values equals fbgemm's int32 accumulation rescaled, up to float rounding.
// Three passes without atomics: `range_partials` (workgroup w: the -min and max of its TILE = WG·ITEMS
// elements), `range_final` (one workgroup: the range and the parameters into stats), `fake_quant` (elementwise).

override N: u32;         // number of elements
override P: u32;         // number of partials, ceil(N / (WG·ITEMS))
override ITEMS: u32 = 8; // elements each invocation reads in the first pass
override WG: u32 = 256;  // workgroup size; a power of two (the workgroup reduction halves it)

const QMAX = 127.0;          // reduce_range: 7 bits of the quint8 range, as fbgemm's dynamic linear uses
const SMALL_SCALE = 6.1e-5;  // ATen's SMALL_SCALE_THRESHOLD: smaller scales are widened to it

@group(0) @binding(0) var<storage, read_write> stats: array<f32>;      // (4) scale, zero point, min, max
@group(0) @binding(1) var<storage, read_write> partials: array<vec2f>; // (P) (-min, max) per workgroup
@group(0) @binding(2) var<storage, read> inp: array<f32>;              // (N)
@group(0) @binding(3) var<storage, read_write> out: array<f32>;        // (N) dequantized

@compute @workgroup_size(WG)
fn range_partials(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let group = wid.x + wid.y * groups.x; // 2-D grid for more than 65535 workgroups
  let base = group * WG * ITEMS;
  var acc = vec2f(LOWEST, LOWEST);
  for (var k = 0u; k < ITEMS; k++) {
    let i = base + k * WG + lid;
    if (i < N) {
      acc = max(acc, vec2f(-inp[i], inp[i]));
    }
  }
  let r = reduce_row(acc, lid, true);
  if (lid == 0u && group < P) {
    partials[group] = r;
  }
}

@compute @workgroup_size(WG)
fn range_final(@builtin(local_invocation_index) lid: u32) {
  var acc = vec2f(LOWEST, LOWEST);
  for (var i = lid; i < P; i += WG) {
    acc = max(acc, partials[i]);
  }
  let r = reduce_row(acc, lid, true);
  if (lid == 0u) {
    let q = qparams(-r.x, r.y);
    stats[0] = q.x;
    stats[1] = q.y;
    stats[2] = -r.x;
    stats[3] = r.y;
  }
}

// (scale, zero point) for the range [lo, hi], as ATen's ChooseQuantizationParams(lo, hi, 0, 127, false).
fn qparams(lo_in: f32, hi_in: f32) -> vec2f {
  var lo = min(lo_in, 0.0);
  var hi = max(hi_in, 0.0);
  var scale = (hi - lo) / QMAX;
  if (scale == 0.0 || 1.0 / scale > 3.4028234e38) {
    scale = 0.1; // a zero range: any scale serves, and its reciprocal must be finite
  }
  if (scale < SMALL_SCALE) {
    let amplify = SMALL_SCALE / scale;
    if (lo == 0.0) {
      hi = SMALL_SCALE * QMAX;
    } else if (hi == 0.0) {
      lo = -SMALL_SCALE * QMAX;
    } else {
      lo *= amplify;
      hi *= amplify;
    }
    scale = SMALL_SCALE;
  }
  // The zero point from whichever end loses less, nudged onto an integer level.
  let from_min = 0.0 - lo / scale;
  let from_max = QMAX - hi / scale;
  let error_min = 0.0 - abs(lo / scale);
  let error_max = QMAX - abs(hi / scale);
  let z = select(from_max, from_min, error_min < error_max);
  return vec2f(scale, clamp(round(z), 0.0, QMAX));
}

@compute @workgroup_size(WG)
fn fake_quant(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WG; // 2-D grid for more than 65535 workgroups
  if (i >= N) {
    return;
  }
  let scale = stats[0];
  let zero = stats[1];
  // fbgemm multiplies by the reciprocal (not divides by the scale); round() is half to even, as nearbyint.
  let q = clamp(round(inp[i] * (1.0 / scale)) + zero, 0.0, 255.0);
  out[i] = (q - zero) * scale;
}
