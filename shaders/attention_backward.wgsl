// attention_backward: gradients of attention.wgsl, per head h, with p_ij recomputed from q, k and the forward's
// row statistics (max m_i, sum l_i) by the forward's arithmetic (lib/attention_rows.wgsl), bit for bit:
//   dP = dO·vᵀ ⊙ dropout factor,  dS = P ⊙ (dP − rowdot) with rowdot_i = Σ_j p_ij dP_ij,
//   dq = dS·k/√D,  dk = dSᵀ·q/√D,  dv = dropout(P)ᵀ·dO.
// The dropout mask is regenerated from the RNG (index: the flat (B, H, T, S) index of p_ij).
//
// Tiling (FlashAttention-2's backward without atomics): a workgroup owns a block of BA "fixed" rows and
// sweeps the rows of the other side in tiles of BX "sweep" rows. Per tile, both sides' rows are staged in
// workgroup memory DC head columns at a time; each score (and dO_i·v_j) is one invocation's dot product,
// accumulated from 0.0 in d order as the forward's is; the tile's per-pair weights go to `weights`, then
// out[a] += Σ_x weights[a][x]·row_x, the sweep side's rows staged again. Outputs stay in registers, DO
// columns at a time (codebert's D = 64 in one sweep; a larger D sweeps again, recomputing the scores).
// Invocation t = LN·g + c owns fixed rows g, g + LN and sweep rows c, c + LN of each tile (a 2×2 register
// tile), and output columns c + LN·n of each DO-column block.
// Four steps, each an entry point:
//   rowdot  fixed: queries, sweep: keys.  rowdot_i, parked in dv's buffer ((B, H, T) <= B*T*C floats).
//   dq      fixed: queries, sweep: keys.  dq_i = Σ_j dS_ij k_j / √D.
//   dk      fixed: keys, sweep: queries.  dk_j = Σ_i dS_ij q_i / √D.
//   dv      fixed: keys, sweep: queries.  dv_j = Σ_i dropout(p_ij) dO_i, overwriting rowdot last.
// Recomputing p needs q, the keys, the mask and the statistics, and dP needs dO and the values: with the
// output and rowdot that is WebGPU's 8 storage buffers, so prefix keys (pk, pv) and token keys (k, v) cannot
// be bound together. Each step is compiled twice: with PREFIX (keys j < P, bound as keys/vals, summed over
// the whole batch by one workgroup per key block: no atomics) and without (keys j >= P of batch b). The
// launcher runs the prefix pass of a step first; the token pass adds rowdot and dq to it, while dpk and dpv
// accumulate (+=) into the caller's gradients and dk, dv are written.
// Needs lib/rng.wgsl and lib/attention_rows.wgsl (prepended by shaderWith). Twin: src/reference/attention.ts.

override B: u32;
override T: u32;
override H: u32;         // heads
override D: u32;         // head size, C = H * D
override P: u32;         // prefix rows, 0 for none
override DROPOUT: f32;   // dropout probability on probs, 0 for none
override PREFIX: bool;   // this pass covers the prefix keys j < P (else the token keys j >= P)
override C: u32 = H * D;
override S: u32 = P + T; // keys per query
override J0: u32 = select(P, 0u, PREFIX); // the pass's keys: J0 <= j < J1
override J1: u32 = select(S, P, PREFIX);

// The launcher's ATTENTION_BACKWARD_BLOCK (BA = BX), ATTENTION_BACKWARD_D_CHUNK (DC) and _D_SWEEP (DO).
const LN: u32 = 16u;        // lanes: invocations sharing a fixed row
const NT: u32 = LN * LN;    // 256 invocations
const BA: u32 = 2u * LN;    // fixed rows per workgroup
const BX: u32 = 2u * LN;    // sweep rows per tile
const DC: u32 = 2u * LN;    // head columns staged at once
const DO: u32 = 2u * DC;    // output columns held in registers per sweep
const NO: u32 = 2u * DO / LN; // outputs per invocation: 2 rows × DO / LN columns
// Row strides of the staged rows and of the weights, one float of padding each: the 16 rows a warp reads
// at once fall in distinct memory banks.
const RS: u32 = DC + 1u;
const WS: u32 = BX + 1u;
const_assert BX == BA; // stage() stages BA rows of either side
const MASKED: f32 = -0x1.fffffep+127f; // attention.wgsl's padding score

// Sources of staged rows (fetch).
const SRC_Q: u32 = 0u;
const SRC_KEYS: u32 = 1u;
const SRC_DOUT: u32 = 2u;
const SRC_VALS: u32 = 3u;

struct Params {
  seed: u32, // dropout seed, the forward's
}

// What binding 0 holds in each pass: rowdot (B, H, T) in dv's buffer; dq (B*T, C); dk or dv (B*T, C), or dpk
// or dpv (P, C) accumulated.
@group(0) @binding(0) var<storage, read_write> grad: array<f32>;
@group(0) @binding(1) var<storage, read> stats: array<f32>;  // (B, H, T, 2): m, l
@group(0) @binding(2) var<storage, read> dout: array<f32>;   // (B*T, C)
@group(0) @binding(3) var<storage, read> q: array<f32>;      // (B*T, C)
@group(0) @binding(4) var<storage, read> keys: array<f32>;   // k (B*T, C), or pk (P, C) when PREFIX
@group(0) @binding(5) var<storage, read> vals: array<f32>;   // v (B*T, C), or pv (P, C) when PREFIX
@group(0) @binding(6) var<storage, read> mask: array<u32>;   // (B, T), read by token passes
@group(0) @binding(7) var<storage, read> rowdot: array<f32>; // (B, H, T) in dv's buffer (dq, dk)
@group(0) @binding(8) var<uniform> params: Params;
// lib/attention_rows.wgsl's per-key score functions name k and pk; this file only uses its score_from_dot
// and prob, so these stay unbound.
@group(0) @binding(4) var<storage, read> k: array<f32>;
@group(0) @binding(4) var<storage, read> pk: array<f32>;

// 12,672 bytes in all, under WebGPU's default 16 KiB.
var<workgroup> staged: array<f32, (BA + BX) * RS>; // (BA, DC) fixed rows, then (BX, DC) sweep rows
var<workgroup> weights: array<f32, BA * WS>;       // (BA, BX) the tile's per-pair weights

const FIX: u32 = 0u;      // offset of the fixed rows in `staged`
const SWP: u32 = BA * RS; // offset of the sweep rows

// What dropout multiplied probability index by in the forward: 0 if dropped, else 1 / (1 - p).
fn dropout_factor(index: u32) -> f32 {
  if (DROPOUT == 0.0) {
    return 1.0;
  }
  return select(0.0, 1.0 / (1.0 - DROPOUT), rng_uniform(params.seed, index) >= DROPOUT);
}

fn stat_row(b: u32, h: u32, i: u32) -> u32 {
  return (b * H + h) * T + i;
}

// The row of key j (prefix first) in keys/vals: the pass's keys are all prefix rows or all batch b's tokens.
fn key_row(b: u32, j: u32) -> u32 {
  return select(b * T + j - P, j, PREFIX);
}

fn is_padding(b: u32, j: u32) -> bool {
  return !PREFIX && mask[b * T + j - P] == 0u;
}

fn fetch(src: u32, at: u32) -> f32 {
  switch src {
    case SRC_Q: { return q[at]; }
    case SRC_KEYS: { return keys[at]; }
    case SRC_DOUT: { return dout[at]; }
    default: { return vals[at]; }
  }
}

// Rows row0.. (n <= BA of them) of src, columns d0.. of head h, into staged[at..]; 0 past n and past D.
fn stage(at: u32, src: u32, row0: u32, n: u32, h: u32, d0: u32, t: u32) {
  for (var e = t; e < BA * DC; e += NT) {
    let r = e / DC;
    let d = e % DC;
    var x = 0.0;
    if (r < n && d0 + d < D) {
      x = fetch(src, (row0 + r) * C + h * D + d0 + d);
    }
    staged[at + r * RS + d] = x;
  }
}

// Dot products of t's fixed rows g, g + LN (fnum rows frow.. of source fsrc) with its sweep rows c, c + LN
// (xnum rows xrow.. of xsrc), at index 2·fixed + sweep: each accumulated sequentially over d from 0.0, which for q·k is
// lib/attention_rows.wgsl's score arithmetic (the product's operand order does not change its bits).
fn dots(fsrc: u32, frow: u32, fnum: u32, xsrc: u32, xrow: u32, xnum: u32, h: u32, t: u32) -> array<f32, 4> {
  let g = t / LN;
  let c = t % LN;
  var dot = array<f32, 4>(0.0, 0.0, 0.0, 0.0);
  for (var d0 = 0u; d0 < D; d0 += DC) {
    stage(FIX, fsrc, frow, fnum, h, d0, t);
    stage(SWP, xsrc, xrow, xnum, h, d0, t);
    workgroupBarrier();
    for (var d = 0u; d < min(DC, D - d0); d++) {
      let f0 = staged[FIX + g * RS + d];
      let f1 = staged[FIX + (g + LN) * RS + d];
      let x0 = staged[SWP + c * RS + d];
      let x1 = staged[SWP + (c + LN) * RS + d];
      dot[0] += f0 * x0;
      dot[1] += f0 * x1;
      dot[2] += f1 * x0;
      dot[3] += f1 * x1;
    }
    workgroupBarrier(); // everyone is done with `staged` before it is restaged
  }
  return dot;
}

// acc += weights·(sweep rows xr.. of xs) for output columns oc0..oc0 + DO: acc[r·NO/2 + n] is fixed row
// g + r·LN, column oc0 + c + n·LN. The caller has written `weights`; stage's barrier publishes them.
fn accumulate(acc: ptr<function, array<f32, NO>>, xs: u32, xr: u32, xn: u32, h: u32, oc0: u32, t: u32) {
  let g = t / LN;
  let c = t % LN;
  for (var part = 0u; part < DO / DC; part++) {
    let d0 = oc0 + part * DC;
    if (d0 < D) {
      stage(SWP, xs, xr, xn, h, d0, t);
      workgroupBarrier();
      for (var x = 0u; x < xn; x++) {
        let w0 = weights[g * WS + x];
        let w1 = weights[(g + LN) * WS + x];
        let v0 = staged[SWP + x * RS + c];
        let v1 = staged[SWP + x * RS + c + LN];
        let n = 2u * part;
        (*acc)[n] += w0 * v0;
        (*acc)[n + 1u] += w0 * v1;
        (*acc)[NO / 2u + n] += w1 * v0;
        (*acc)[NO / 2u + n + 1u] += w1 * v1;
      }
      workgroupBarrier(); // everyone is done with `staged` and `weights`
    }
  }
}

// Writes acc / div (see accumulate) to grad rows row0.. (n of them, columns oc0.. of head h), adding it to
// what is there when add.
fn write_rows(acc: array<f32, NO>, row0: u32, n: u32, h: u32, oc0: u32, div: f32, add: bool, t: u32) {
  let g = t / LN;
  let c = t % LN;
  for (var r = 0u; r < 2u; r++) {
    for (var m = 0u; m < NO / 2u; m++) {
      let a = g + r * LN;
      let d = oc0 + c + m * LN;
      if (a < n && d < D) {
        let o = (row0 + a) * C + h * D + d;
        let x = acc[r * NO / 2u + m] / div;
        grad[o] = select(x, grad[o] + x, add);
      }
    }
  }
}

// Per pair of a tile (index 2·fixed + sweep, as dots): the probability p_ij before dropout, the dropout
// factor, and dP_ij = dO_i·v_j · factor (when wanted). All 0 for a pair past the end of either side.
struct Pairs {
  p: array<f32, 4>,
  f: array<f32, 4>,
  dp: array<f32, 4>,
}

// A tile of queries i0 + g (+ LN), whose (m, l) are ml, against keys j0 + c (+ LN) of the pass (batch b).
fn query_tile(b: u32, h: u32, i0: u32, j0: u32, ml: array<vec2f, 2>, t: u32) -> Pairs {
  let na = min(BA, T - i0);
  let nx = min(BX, J1 - j0);
  let s = dots(SRC_Q, b * T + i0, na, SRC_KEYS, key_row(b, j0), nx, h, t);
  let dp = dots(SRC_DOUT, b * T + i0, na, SRC_VALS, key_row(b, j0), nx, h, t);
  var out: Pairs;
  for (var n = 0u; n < 4u; n++) {
    let i = i0 + t / LN + (n / 2u) * LN;
    let j = j0 + t % LN + (n % 2u) * LN;
    if (i < T && j < J1) {
      out.p[n] = prob(score_from_dot(s[n], is_padding(b, j)), ml[n / 2u].x, ml[n / 2u].y);
      out.f[n] = dropout_factor(((b * H + h) * T + i) * S + j);
      out.dp[n] = dp[n] * out.f[n];
    }
  }
  return out;
}

// A tile of the pass's keys j0 + g (+ LN) against queries i0 + c (+ LN) of batch b; rows are read from stats.
fn key_tile(b: u32, h: u32, j0: u32, i0: u32, want_dp: bool, t: u32) -> Pairs {
  let na = min(BA, J1 - j0);
  let nx = min(BX, T - i0);
  let s = dots(SRC_KEYS, key_row(b, j0), na, SRC_Q, b * T + i0, nx, h, t);
  var dp = array<f32, 4>();
  if (want_dp) {
    dp = dots(SRC_VALS, key_row(b, j0), na, SRC_DOUT, b * T + i0, nx, h, t);
  }
  var out: Pairs;
  for (var n = 0u; n < 4u; n++) {
    let j = j0 + t / LN + (n / 2u) * LN;
    let i = i0 + t % LN + (n % 2u) * LN;
    if (j < J1 && i < T) {
      let r = stat_row(b, h, i);
      out.p[n] = prob(score_from_dot(s[n], is_padding(b, j)), stats[2u * r], stats[2u * r + 1u]);
      out.f[n] = dropout_factor(r * S + j);
      out.dp[n] = dp[n] * out.f[n];
    }
  }
  return out;
}

// (m, l) of t's query rows i0 + g, i0 + g + LN; (0, 1) past T.
fn query_stats(b: u32, h: u32, i0: u32, t: u32) -> array<vec2f, 2> {
  var ml = array<vec2f, 2>(vec2f(0.0, 1.0), vec2f(0.0, 1.0));
  for (var r = 0u; r < 2u; r++) {
    let i = i0 + t / LN + r * LN;
    if (i < T) {
      let row = stat_row(b, h, i);
      ml[r] = vec2f(stats[2u * row], stats[2u * row + 1u]);
    }
  }
  return ml;
}

// One workgroup per (query block, head, batch element): rowdot_i = Σ_j p_ij dP_ij over the pass's keys.
@compute @workgroup_size(NT)
fn attention_backward_rowdot(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) t: u32) {
  let i0 = wg.x * BA;
  let h = wg.y;
  let b = wg.z;
  let ml = query_stats(b, h, i0, t);
  var part = array<f32, 2>(0.0, 0.0);
  for (var j0 = J0; j0 < J1; j0 += BX) {
    let x = query_tile(b, h, i0, j0, ml, t);
    for (var n = 0u; n < 4u; n++) {
      part[n / 2u] += x.p[n] * x.dp[n];
    }
  }
  // Each row's LN lane partials are summed in lane order through `weights`.
  for (var r = 0u; r < 2u; r++) {
    weights[(t / LN + r * LN) * WS + t % LN] = part[r];
  }
  workgroupBarrier();
  let i = i0 + t;
  if (t < BA && i < T) {
    var sum = 0.0;
    for (var c = 0u; c < LN; c++) {
      sum += weights[t * WS + c];
    }
    let r = stat_row(b, h, i);
    grad[r] = select(sum, grad[r] + sum, !PREFIX && P > 0u); // the token pass adds to the prefix pass's
  }
}

// One workgroup per (query block, head, batch element): dq_i = Σ_j p_ij (dP_ij − rowdot_i) k_j / √D.
@compute @workgroup_size(NT)
fn attention_backward_dq(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) t: u32) {
  let i0 = wg.x * BA;
  let h = wg.y;
  let b = wg.z;
  let ml = query_stats(b, h, i0, t);
  var rd = array<f32, 2>(0.0, 0.0);
  for (var r = 0u; r < 2u; r++) {
    let i = i0 + t / LN + r * LN;
    if (i < T) {
      rd[r] = rowdot[stat_row(b, h, i)];
    }
  }
  for (var oc0 = 0u; oc0 < D; oc0 += DO) {
    var acc = array<f32, NO>();
    for (var j0 = J0; j0 < J1; j0 += BX) {
      let x = query_tile(b, h, i0, j0, ml, t);
      for (var n = 0u; n < 4u; n++) {
        weights[(t / LN + (n / 2u) * LN) * WS + t % LN + (n % 2u) * LN] = x.p[n] * (x.dp[n] - rd[n / 2u]);
      }
      accumulate(&acc, SRC_KEYS, key_row(b, j0), min(BX, J1 - j0), h, oc0, t);
    }
    // The token pass adds to the prefix pass's part.
    write_rows(acc, b * T + i0, min(BA, T - i0), h, oc0, sqrt(f32(D)), !PREFIX && P > 0u, t);
  }
}

// One workgroup per (key block, head, batch element), or per (prefix key block, head) summing over the batch:
// dk_j = Σ_i p_ij (dP_ij − rowdot_i) q_i / √D (want_dk), else dv_j = Σ_i p_ij · dropout factor · dO_i.
fn key_grads(wg: vec3u, t: u32, want_dk: bool) {
  let j0 = J0 + wg.x * BA;
  let h = wg.y;
  let b_end = select(wg.z + 1u, B, PREFIX);
  for (var oc0 = 0u; oc0 < D; oc0 += DO) {
    var acc = array<f32, NO>();
    for (var b = select(wg.z, 0u, PREFIX); b < b_end; b++) {
      for (var i0 = 0u; i0 < T; i0 += BX) {
        let x = key_tile(b, h, j0, i0, want_dk, t);
        for (var n = 0u; n < 4u; n++) {
          var w = x.p[n] * x.f[n];
          let i = i0 + t % LN + (n % 2u) * LN;
          if (want_dk && i < T) {
            w = x.p[n] * (x.dp[n] - rowdot[stat_row(b, h, i)]);
          }
          weights[(t / LN + (n / 2u) * LN) * WS + t % LN + (n % 2u) * LN] = w;
        }
        accumulate(&acc, select(SRC_DOUT, SRC_Q, want_dk), b * T + i0, min(BX, T - i0), h, oc0, t);
      }
    }
    let div = select(1.0, sqrt(f32(D)), want_dk);
    write_rows(acc, key_row(wg.z, j0), min(BA, J1 - j0), h, oc0, div, PREFIX, t); // dpk, dpv accumulate
  }
}

@compute @workgroup_size(NT)
fn attention_backward_dk(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) t: u32) {
  key_grads(wg, t, true);
}

@compute @workgroup_size(NT)
fn attention_backward_dv(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) t: u32) {
  key_grads(wg, t, false);
}
