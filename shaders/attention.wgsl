// attention: multi-head self-attention as Hugging Face RoBERTa computes it (eager), per head h:
//   probs = softmax(q·kᵀ/√D + mask) over the P prefix keys then the T tokens,
//   out   = dropout(probs)·v, written into head h's columns h*D..h*D+D-1.
// Keeps only each row's softmax statistics (max m, sum l of exp(s - m)) for the backward, which recomputes
// p = prob(score, m, l) with the same score arithmetic (lib/attention_rows.wgsl), so it gets the forward's
// probabilities bit for bit without a (B, H, T, P+T) tensor; it regenerates the dropout mask from the RNG.
//
// Tiling: one workgroup per (block of BR query rows, head h, batch element b). The block's query rows are
// staged in workgroup memory, then the keys (prefix rows first) go through it in tiles of BC rows, each tile
// read from global memory once for all BR queries. Head columns are staged DCH at a time: for D <= DCH
// (codebert's D = 64) the queries are staged once; a larger D is staged in chunks, recomputing each score
// once per chunk of output columns.
// Two passes over the key tiles, both computing the scores:
//   1. each row's m and l, streamed ("online softmax": per tile, m_new = max(m, tile scores) and
//      l = l·exp(m − m_new) + Σ exp(s − m_new)) by each invocation over its keys, then merged across the
//      invocations sharing the row the same way, saved to stats;
//   2. out_i = Σ_j prob(s_ij, m, l) · dropout factor · v_j, with the final m and l.
// Not one pass rescaling the output as m grows (flash attention): its probabilities would be rounded
// differently from the backward's prob(score, m, l), and the backward must recompute them bit for bit.
// Invocation t = KL·g + c owns query rows g and g + RG of the block: their scores with keys c and c + KL of
// each tile (a 2×2 register tile), and their outputs in columns c, c + KL, c + 2·KL, ... of the chunk.
// Needs lib/rng.wgsl and lib/attention_rows.wgsl (prepended by shaderWith). Twin: src/reference/attention.ts.

override B: u32;
override T: u32;
override H: u32;         // heads
override D: u32;         // head size, C = H * D
override P: u32;         // prefix rows (prefix-tuning), 0 for none
override DROPOUT: f32;   // dropout probability on probs, 0 for none
override C: u32 = H * D;
override S: u32 = P + T; // keys per query

// The launcher's ATTENTION_BLOCK_ROWS (BR), ATTENTION_KEY_TILE (BC) and ATTENTION_D_CHUNK (DCH).
const KL: u32 = 8u;         // key lanes: invocations sharing a query row
const RG: u32 = 16u;        // row groups
const NT: u32 = KL * RG;    // 128 invocations
const BR: u32 = 2u * RG;    // query rows per workgroup
const BC: u32 = 2u * KL;    // keys per tile
const DCH: u32 = 64u;       // head columns staged at once, a multiple of KL
const CPL: u32 = DCH / KL;  // output columns per invocation and row
// Row strides of the staged tiles, one float of padding each: the rows a warp reads at once (stride 65 or
// 17 apart) then fall in distinct memory banks.
const DS: u32 = DCH + 1u;
const PS: u32 = BC + 1u;
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

// 15,680 bytes in all, under WebGPU's default 16 KiB.
var<workgroup> qs: array<f32, BR * DS>;  // (BR, DCH) the block's query rows, one chunk of head columns
var<workgroup> kv: array<f32, BC * DS>;  // (BC, DCH) one tile's key rows, then in pass 2 its value rows
var<workgroup> ps: array<f32, BR * PS>;  // (BR, BC) the tile's dropped probabilities (pass 2)
var<workgroup> red: array<f32, 2u * NT>; // (2, NT) per-invocation row statistics being merged

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

// Query rows i0.. and columns d0.. of head h into qs; rows past T and columns past D are 0.
fn stage_queries(b: u32, h: u32, i0: u32, d0: u32, t: u32) {
  for (var e = t; e < BR * DCH; e += NT) {
    let r = e / DCH;
    let d = e % DCH;
    var x = 0.0;
    if (i0 + r < T && d0 + d < D) {
      x = q[(b * T + i0 + r) * C + h * D + d0 + d];
    }
    qs[r * DS + d] = x;
  }
}

// Key (or value) rows j0.. and columns d0.. of head h into kv; rows past S and columns past D are 0.
fn stage_keys(b: u32, h: u32, j0: u32, d0: u32, t: u32, values: bool) {
  for (var e = t; e < BC * DCH; e += NT) {
    let r = e / DCH;
    let d = e % DCH;
    var x = 0.0;
    if (j0 + r < S && d0 + d < D) {
      if (values) {
        x = value_at(b, j0 + r, h * D + d0 + d);
      } else {
        x = key_at(b, j0 + r, h * D + d0 + d);
      }
    }
    kv[r * DS + d] = x;
  }
}

fn is_padding(b: u32, j: u32) -> bool {
  return j >= P && j < S && mask[b * T + j - P] == 0u;
}

// The scores of invocation t's rows g, g + RG with the tile's keys c, c + KL, at index 2·row + key: each dot
// product accumulated sequentially over d from 0.0, as lib/attention_rows.wgsl's prefix_score/token_score do.
fn tile_scores(b: u32, h: u32, i0: u32, j0: u32, t: u32) -> array<f32, 4> {
  let g = t / KL;
  let c = t % KL;
  var dot = array<f32, 4>(0.0, 0.0, 0.0, 0.0);
  for (var d0 = 0u; d0 < D; d0 += DCH) {
    if (D > DCH) {
      stage_queries(b, h, i0, d0, t); // else staged once by the entry point
    }
    stage_keys(b, h, j0, d0, t, false);
    workgroupBarrier();
    for (var d = 0u; d < min(DCH, D - d0); d++) {
      let q0 = qs[g * DS + d];
      let q1 = qs[(g + RG) * DS + d];
      let k0 = kv[c * DS + d];
      let k1 = kv[(c + KL) * DS + d];
      dot[0] += q0 * k0;
      dot[1] += q0 * k1;
      dot[2] += q1 * k0;
      dot[3] += q1 * k1;
    }
    workgroupBarrier(); // everyone is done with kv (and qs) before they are restaged
  }
  var s: array<f32, 4>;
  for (var n = 0u; n < 4u; n++) {
    s[n] = score_from_dot(dot[n], is_padding(b, j0 + c + (n % 2u) * KL));
  }
  return s;
}

// What dropout multiplies probability index by: 0 if dropped, else 1 / (1 - p).
fn dropout_factor(index: u32) -> f32 {
  if (DROPOUT == 0.0) {
    return 1.0;
  }
  return select(0.0, 1.0 / (1.0 - DROPOUT), rng_uniform(params.seed, index) >= DROPOUT);
}

// Merges the (m, l) that the KL invocations of each of t's rows streamed over their own keys: the row's
// m = max m_c, l = Σ_c l_c·exp(m_c − m), summed in lane order, so all KL invocations get the same bits.
fn merge_stats(t: u32, m: array<f32, 2>, l: array<f32, 2>) -> array<vec2f, 2> {
  let g = t / KL;
  var merged: array<vec2f, 2>;
  for (var r = 0u; r < 2u; r++) {
    red[r * NT + t] = m[r];
  }
  workgroupBarrier();
  for (var r = 0u; r < 2u; r++) {
    merged[r].x = MASKED;
    for (var c = 0u; c < KL; c++) {
      merged[r].x = max(merged[r].x, red[r * NT + g * KL + c]);
    }
  }
  workgroupBarrier();
  for (var r = 0u; r < 2u; r++) {
    red[r * NT + t] = l[r] * exp(m[r] - merged[r].x);
  }
  workgroupBarrier();
  for (var r = 0u; r < 2u; r++) {
    merged[r].y = 0.0;
    for (var c = 0u; c < KL; c++) {
      merged[r].y += red[r * NT + g * KL + c];
    }
  }
  return merged;
}

// Pass 1: the block's rows' m and l, saved to stats and returned (per row of t: (m, l)).
fn row_stats(b: u32, h: u32, i0: u32, t: u32) -> array<vec2f, 2> {
  let c = t % KL;
  var m = array<f32, 2>(MASKED, MASKED);
  var l = array<f32, 2>(0.0, 0.0);
  for (var j0 = 0u; j0 < S; j0 += BC) {
    let s = tile_scores(b, h, i0, j0, t);
    let live = vec2<bool>(j0 + c < S, j0 + c + KL < S); // keys past S are not in the row
    for (var r = 0u; r < 2u; r++) {
      let s0 = select(MASKED, s[2u * r], live.x);
      let s1 = select(MASKED, s[2u * r + 1u], live.y);
      let m_new = max(m[r], max(s0, s1));
      l[r] = l[r] * exp(m[r] - m_new) + select(0.0, exp(s0 - m_new), live.x) + select(0.0, exp(s1 - m_new), live.y);
      m[r] = m_new;
    }
  }
  let merged = merge_stats(t, m, l);
  for (var r = 0u; r < 2u; r++) {
    let i = i0 + t / KL + r * RG;
    if (c == 0u && i < T) {
      let row = (b * H + h) * T + i;
      stats[2u * row] = merged[r].x;
      stats[2u * row + 1u] = merged[r].y;
    }
  }
  return merged;
}

@compute @workgroup_size(NT)
fn attention(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) t: u32) {
  let i0 = wg.x * BR;
  let h = wg.y;
  let b = wg.z;
  let g = t / KL;
  let c = t % KL;
  if (D <= DCH) {
    stage_queries(b, h, i0, 0u, t); // tile_scores' first barrier publishes it
  }
  let ml = row_stats(b, h, i0, t);

  // Pass 2, per chunk of DCH output columns: each tile's dropped probabilities go through ps, its values
  // through kv; acc[r·CPL + n] is row g + r·RG, column d0 + c + n·KL.
  for (var d0 = 0u; d0 < D; d0 += DCH) {
    var acc = array<f32, 2u * CPL>();
    for (var j0 = 0u; j0 < S; j0 += BC) {
      let s = tile_scores(b, h, i0, j0, t);
      for (var r = 0u; r < 2u; r++) {
        let i = i0 + g + r * RG;
        for (var n = 0u; n < 2u; n++) {
          let j = j0 + c + n * KL;
          var p = 0.0;
          if (i < T && j < S) {
            p = prob(s[2u * r + n], ml[r].x, ml[r].y) * dropout_factor(((b * H + h) * T + i) * S + j);
          }
          ps[(g + r * RG) * PS + c + n * KL] = p;
        }
      }
      stage_keys(b, h, j0, d0, t, true);
      workgroupBarrier();
      for (var jj = 0u; jj < BC; jj++) {
        let p0 = ps[g * PS + jj];
        let p1 = ps[(g + RG) * PS + jj];
        for (var n = 0u; n < CPL; n++) {
          let x = kv[jj * DS + c + n * KL];
          acc[n] += p0 * x;
          acc[CPL + n] += p1 * x;
        }
      }
      workgroupBarrier(); // everyone is done with ps and kv before the next tile
    }
    for (var r = 0u; r < 2u; r++) {
      let i = i0 + g + r * RG;
      for (var n = 0u; n < CPL; n++) {
        let d = d0 + c + n * KL;
        if (i < T && d < D) {
          out[(b * T + i) * C + h * D + d] = acc[r * CPL + n];
        }
      }
    }
  }
}
