// The keys and values attention reads, prefix rows first: shared by attention.wgsl and attention_backward.wgsl,
// which both declare pk, k, pv, v (C columns per row) and the overrides P, T, C.

// Element c of key j's row for batch b: the prefix rows come first.
fn key_at(b: u32, j: u32, c: u32) -> f32 {
  if (j < P) {
    return pk[j * C + c];
  }
  return k[(b * T + j - P) * C + c];
}

fn value_at(b: u32, j: u32, c: u32) -> f32 {
  if (j < P) {
    return pv[j * C + c];
  }
  return v[(b * T + j - P) * C + c];
}
