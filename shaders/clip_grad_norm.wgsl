// clip_grad_norm: adds grad_norm's partial sums of squares and writes [total_norm, clip_coef] with
// torch.nn.utils.clip_grad_norm_ semantics: clip_coef = min(1, MAX_NORM / (total_norm + 1e-6)).
// The gradients are not rescaled here: adamw.wgsl multiplies each gradient by clip_coef as it reads it,
// which saves a pass over the whole gradient buffer.
// A NaN or infinite total_norm makes clip_coef NaN (min(1, ·) would hide a NaN, and MAX_NORM / inf is 0), so
// the update turns the parameters NaN and the trainer, reading total_norm back, can stop and report it.

override P: u32;        // number of partials
override MAX_NORM: f32; // the clipping threshold (> 0)
override WG: u32 = 256; // workgroup size; a power of two (the workgroup reduction halves it)

@group(0) @binding(0) var<storage, read_write> out: array<f32>;  // (2) [total_norm, clip_coef]
@group(0) @binding(1) var<storage, read> partials: array<f32>;   // (P)

// Non-finite floats have an all-ones exponent. Tested on the bits: fast-math compilers may fold isnan-style
// comparisons away.
fn is_finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

@compute @workgroup_size(WG)
fn clip_grad_norm(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var i = lid; i < P; i += WG) {
    acc += partials[i];
  }
  let total = reduce_sum(acc, lid);
  if (lid == 0u) {
    let total_norm = sqrt(total);
    // A quiet NaN made from the bits: WGSL has no NaN constant.
    let nan = bitcast<f32>(bitcast<u32>(total_norm) | 0x7fc00000u);
    out[0] = total_norm;
    out[1] = select(nan, min(1.0, MAX_NORM / (total_norm + 1e-6)), is_finite(total_norm));
  }
}
