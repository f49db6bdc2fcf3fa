// Counter-based random numbers: the value for element `index` under `seed` is a pure function of the two,
// so a backward pass regenerates the forward's dropout mask instead of storing it.
// Twin: src/reference/rng.ts (bit-exact).

// lowbias32 integer hash (Chris Wellons' hash-prospector): good avalanche, four multiplies.
fn rng_hash(x: u32) -> u32 {
  var v = x;
  v ^= v >> 16u;
  v *= 0x7feb352du;
  v ^= v >> 15u;
  v *= 0x846ca68bu;
  v ^= v >> 16u;
  return v;
}

// Uniform in [0, 1) with 24 random bits (exact in f32).
fn rng_uniform(seed: u32, index: u32) -> f32 {
  let h = rng_hash(rng_hash(seed) ^ (index * 0x9e3779b9u + 0x632be5abu));
  return f32(h >> 8u) * (1.0 / 16777216.0);
}
