// attention: multi-head self-attention as Hugging Face RoBERTa computes it (eager), per head h:
//   probs = softmax(q·kᵀ/√D + mask) over the P prefix keys then the T tokens,
//   out   = dropout(probs)·v, written into head h's columns h*D..h*D+D-1.
// Keeps only each row's softmax statistics (max m, sum l of exp(s - m)) for the backward, which recomputes
// p = exp(score - m) / l with the same score() arithmetic (lib/attention_rows.wgsl), so it gets the forward's
// probabilities bit for bit without a (B, H, T, P+T) tensor; it regenerates the dropout mask from the RNG.
// One workgroup per (query row i, head h, batch element b); invocation t owns keys j ≡ t (mod WG).
// Needs lib/rng.wgsl and lib/attention_rows.wgsl (prepended by shaderWith). Twin: src/reference/attention.ts.

override B: u32;
override T: u32;
override H: u32;         // heads
override D: u32;         // head size, C = H * D
override P: u32;         // prefix rows (prefix-tuning), 0 for none
override DROPOUT: f32;   // dropout probability on probs, 0 for none
override C: u32 = H * D;
override S: u32 = P + T; // keys per query

const WG: u32 = 64u; // a power of two, for the tree reductions; the launcher's ATTENTION_WG
// torch.finfo(float32).min, HF's additive padding mask: score + MASKED rounds to MASKED, and
// exp(MASKED - rowmax) is exactly 0. Finite, so an all-padding row stays uniform as in HF, not NaN.
const MASKED: f32 = -0x1.fffffep+127f;

struct Params {
  seed: u32, // dropout seed, changed per step
}

@group(0) @binding(0) var<storage, read_write> out: array<f32>;   // (B*T, C)
@group(0) @binding(1) var<storage, read_write> stats: array<f32>; // (B, H, T, 2): row max m, row sum l
@group(0) @binding(2) var<storage, read> q: array<f32>;           // (B*T, C)
@group(0) @binding(3) var<storage, read> k: array<f32>;           // (B*T, C)
@group(0) @binding(4) var<storage, read> v: array<f32>;           // (B*T, C)
@group(0) @binding(5) var<storage, read> mask: array<u32>;        // (B, T) 1 = token, 0 = padding
@group(0) @binding(6) var<storage, read> pk: array<f32>;          // (P, C) prefix keys (unread if P = 0)
@group(0) @binding(7) var<storage, read> pv: array<f32>;          // (P, C) prefix values (unread if P = 0)
@group(0) @binding(8) var<uniform> params: Params;

var<workgroup> red: array<f32, WG>;  // reduction scratch
var<workgroup> tile: array<f32, WG>; // WG dropped probabilities of one row

fn score(b: u32, h: u32, i: u32, j: u32) -> f32 {
  if (j < P) {
    return prefix_score(b, h, i, j);
  }
  return token_score(b, h, i, j);
}

fn value_at(b: u32, j: u32, c: u32) -> f32 {
  if (j < P) {
    return pv[j * C + c];
  }
  return v[(b * T + j - P) * C + c];
}

// What dropout multiplies probability index by: 0 if dropped, else 1 / (1 - p).
fn dropout_factor(index: u32) -> f32 {
  if (DROPOUT == 0.0) {
    return 1.0;
  }
  return select(0.0, 1.0 / (1.0 - DROPOUT), rng_uniform(params.seed, index) >= DROPOUT);
}

fn reduce_max(t: u32, x: f32) -> f32 {
  red[t] = x;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (t < half) {
      red[t] = max(red[t], red[t + half]);
    }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier(); // everyone has read red[0] before it is reused
  return r;
}

fn reduce_sum(t: u32, x: f32) -> f32 {
  red[t] = x;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (t < half) {
      red[t] += red[t + half];
    }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

@compute @workgroup_size(WG)
fn attention(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) t: u32) {
  let i = wg.x;
  let h = wg.y;
  let b = wg.z;
  let row = ((b * H + h) * T + i) * S; // flat (B, H, T, S) index of p_i0, the dropout RNG index base

  // Two-pass softmax, recomputing the scores rather than keeping a row of them anywhere.
  var rowmax = MASKED;
  for (var j = t; j < S; j += WG) {
    rowmax = max(rowmax, score(b, h, i, j));
  }
  rowmax = reduce_max(t, rowmax);
  var sum = 0.0;
  for (var j = t; j < S; j += WG) {
    sum += exp(score(b, h, i, j) - rowmax);
  }
  sum = reduce_sum(t, sum);
  if (t == 0u) {
    let r = (b * H + h) * T + i;
    stats[2u * r] = rowmax;
    stats[2u * r + 1u] = sum;
  }

  // out_i = Σ_j dropout(p_ij) v_j: WG keys at a time go through `tile`, invocation t owning column d0 + t.
  for (var d0 = 0u; d0 < D; d0 += WG) {
    let d = d0 + t;
    var acc = 0.0;
    for (var j0 = 0u; j0 < S; j0 += WG) {
      let j = j0 + t;
      tile[t] = 0.0;
      if (j < S) {
        tile[t] = prob(score(b, h, i, j), rowmax, sum) * dropout_factor(row + j);
      }
      workgroupBarrier();
      if (d < D) {
        for (var jj = 0u; jj < min(WG, S - j0); jj++) {
          acc += tile[jj] * value_at(b, j0 + jj, h * D + d);
        }
      }
      workgroupBarrier();
    }
    if (d < D) {
      out[(b * T + i) * C + h * D + d] = acc;
    }
  }
}
