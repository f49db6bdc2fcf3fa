// The score and probability arithmetic of attention, shared by attention.wgsl and attention_backward.wgsl so
// that the backward recomputes the forward's probabilities bit for bit (same operations in the same order).
// Both declare q, pk, k, mask (C columns per key row), the overrides P, T, C, D and the constant MASKED.
// Prefix and token keys have separate functions because a function that names a buffer binds it in every
// entry point that calls it, and the backward's passes cannot afford to bind both kinds (8 storage buffers).

// q_i·pk_j / √D for query i of batch b and prefix key j < P of head h (prefix keys are never masked).
fn prefix_score(b: u32, h: u32, i: u32, j: u32) -> f32 {
  let qo = (b * T + i) * C + h * D;
  var s = 0.0;
  for (var d = 0u; d < D; d++) {
    s += q[qo + d] * pk[j * C + h * D + d];
  }
  return s / sqrt(f32(D));
}

// q_i·k_j / √D for token key j >= P, plus MASKED when that token is padding.
fn token_score(b: u32, h: u32, i: u32, j: u32) -> f32 {
  let qo = (b * T + i) * C + h * D;
  let ko = (b * T + j - P) * C + h * D;
  var s = 0.0;
  for (var d = 0u; d < D; d++) {
    s += q[qo + d] * k[ko + d];
  }
  s = s / sqrt(f32(D));
  if (mask[b * T + j - P] == 0u) {
    s += MASKED;
  }
  return s;
}

// The probability of a key with score s in a row whose scores have max m and sum l of exp(s - m).
fn prob(s: f32, m: f32, l: f32) -> f32 {
  return exp(s - m) / l;
}

// The end of prefix_score and token_score for a dot product q_i·k_j accumulated elsewhere, sequentially from
// 0.0 in d order (attention.wgsl accumulates it from rows staged in workgroup memory): the same operations in
// the same order, so the same bits. padding: key j is a padding token (never true for a prefix key).
fn score_from_dot(dot: f32, padding: bool) -> f32 {
  var s = dot / sqrt(f32(D));
  if (padding) {
    s += MASKED;
  }
  return s;
}
