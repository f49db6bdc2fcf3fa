// attention_backward: gradients of attention.wgsl, per head h, with P_ij recomputed from q, k and the forward's
// row statistics (max m_i, sum l_i) by the shared lib/attention_rows.wgsl arithmetic, bit for bit the forward's:
//   dP = dO·vᵀ ⊙ dropout factor,  dS = P ⊙ (dP − rowdot) with rowdot_i = Σ_j P_ij dP_ij,
//   dq = dS·k/√D,  dk = dSᵀ·q/√D,  dv = dropout(P)ᵀ·dO.
// The dropout mask is regenerated from the RNG. Recomputing P needs q, the keys, the mask and the statistics,
// so no pass can bind both the prefix and the token keys within WebGPU's 8 storage buffers: each step runs as
// a prefix pass (keys j < P, skipped when P = 0) then a token pass (keys j >= P), the token pass adding to
// what the prefix pass wrote. Every pass binds [output, stats, dout, q, keys, values, mask, rowdot, params]:
//   rowdot_*  one workgroup per query row (i, h, b): rowdot, parked in dv's buffer (B*H*T <= B*T*C floats);
//   dq_*      one workgroup per query row: dq;
//   dk_*      one workgroup per key: dk (token key of batch wg.z), or dpk += summed over the batch;
//   dv_*      one workgroup per key: dv or dpv +=, overwriting rowdot last.
// Needs lib/rng.wgsl and lib/attention_rows.wgsl (prepended by shaderWith). Twin: src/reference/attention.ts.

override B: u32;
override T: u32;
override H: u32;         // heads
override D: u32;         // head size, C = H * D
override P: u32;         // prefix rows, 0 for none
override DROPOUT: f32;   // dropout probability on probs, 0 for none
override C: u32 = H * D;
override S: u32 = P + T; // keys per query

const WG: u32 = 64u; // a power of two, for the tree reduction; the launcher's ATTENTION_WG
const MASKED: f32 = -0x1.fffffep+127f; // attention.wgsl's padding score

struct Params {
  seed: u32, // dropout seed, the forward's
}

// Binding 0, one output per pass (same number, never two in one pass).
@group(0) @binding(0) var<storage, read_write> rowdot_acc: array<f32>; // (B, H, T) in dv's buffer
@group(0) @binding(0) var<storage, read_write> dq: array<f32>;         // (B*T, C)
@group(0) @binding(0) var<storage, read_write> dk: array<f32>;         // (B*T, C)
@group(0) @binding(0) var<storage, read_write> dv: array<f32>;         // (B*T, C)
@group(0) @binding(0) var<storage, read_write> dpk: array<f32>;        // (P, C) accumulated
@group(0) @binding(0) var<storage, read_write> dpv: array<f32>;        // (P, C) accumulated
@group(0) @binding(1) var<storage, read> stats: array<f32>;            // (B, H, T, 2): m, l
@group(0) @binding(2) var<storage, read> dout: array<f32>;             // (B*T, C)
@group(0) @binding(3) var<storage, read> q: array<f32>;                // (B*T, C)
@group(0) @binding(4) var<storage, read> k: array<f32>;                // (B*T, C), token passes
@group(0) @binding(4) var<storage, read> pk: array<f32>;               // (P, C), prefix passes
@group(0) @binding(5) var<storage, read> v: array<f32>;                // (B*T, C), token passes
@group(0) @binding(5) var<storage, read> pv: array<f32>;               // (P, C), prefix passes
@group(0) @binding(6) var<storage, read> mask: array<u32>;             // (B, T), read by token passes
@group(0) @binding(7) var<storage, read> rowdot: array<f32>;           // (B, H, T) in dv's buffer (dq_*, dk_*)
@group(0) @binding(8) var<uniform> params: Params;

var<workgroup> red: array<f32, WG>;  // reduction scratch
var<workgroup> tile: array<f32, WG>; // WG per-key (or per-query) factors of one row (or column)

// What dropout multiplied probability index by in the forward: 0 if dropped, else 1 / (1 - p).
fn dropout_factor(index: u32) -> f32 {
  if (DROPOUT == 0.0) {
    return 1.0;
  }
  return select(0.0, 1.0 / (1.0 - DROPOUT), rng_uniform(params.seed, index) >= DROPOUT);
}

// The flat (B, H, T, S) index of P_ij: the dropout RNG index, as in the forward.
fn prob_index(b: u32, h: u32, i: u32, j: u32) -> u32 {
  return ((b * H + h) * T + i) * S + j;
}

fn stat_row(b: u32, h: u32, i: u32) -> u32 {
  return (b * H + h) * T + i;
}

fn prefix_p(b: u32, h: u32, i: u32, j: u32) -> f32 {
  let r = stat_row(b, h, i);
  return prob(prefix_score(b, h, i, j), stats[2u * r], stats[2u * r + 1u]);
}

fn token_p(b: u32, h: u32, i: u32, j: u32) -> f32 {
  let r = stat_row(b, h, i);
  return prob(token_score(b, h, i, j), stats[2u * r], stats[2u * r + 1u]);
}

// dL/dP_ij = dO_i·v_j through the dropout factor, for a prefix key j < P and for a token key j >= P.
fn prefix_dp(b: u32, h: u32, i: u32, j: u32) -> f32 {
  let o = (b * T + i) * C + h * D;
  var s = 0.0;
  for (var d = 0u; d < D; d++) {
    s += dout[o + d] * pv[j * C + h * D + d];
  }
  return s * dropout_factor(prob_index(b, h, i, j));
}

fn token_dp(b: u32, h: u32, i: u32, j: u32) -> f32 {
  let o = (b * T + i) * C + h * D;
  let vo = (b * T + j - P) * C + h * D;
  var s = 0.0;
  for (var d = 0u; d < D; d++) {
    s += dout[o + d] * v[vo + d];
  }
  return s * dropout_factor(prob_index(b, h, i, j));
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
  workgroupBarrier(); // everyone has read red[0] before it is reused
  return r;
}

@compute @workgroup_size(WG)
fn rowdot_prefix(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) t: u32) {
  var partial = 0.0;
  for (var j = t; j < P; j += WG) {
    partial += prefix_p(wg.z, wg.y, wg.x, j) * prefix_dp(wg.z, wg.y, wg.x, j);
  }
  let rd = reduce_sum(t, partial);
  if (t == 0u) {
    rowdot_acc[stat_row(wg.z, wg.y, wg.x)] = rd;
  }
}

@compute @workgroup_size(WG)
fn rowdot_tokens(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) t: u32) {
  var partial = 0.0;
  for (var j = P + t; j < S; j += WG) {
    partial += token_p(wg.z, wg.y, wg.x, j) * token_dp(wg.z, wg.y, wg.x, j);
  }
  let rd = reduce_sum(t, partial);
  if (t == 0u) {
    let r = stat_row(wg.z, wg.y, wg.x);
    rowdot_acc[r] = select(rd, rowdot_acc[r] + rd, P > 0u); // after rowdot_prefix's part
  }
}

// dq_i = Σ_j dS_ij key_j / √D: WG keys at a time go through `tile`, invocation t owning column d0 + t.
@compute @workgroup_size(WG)
fn dq_prefix(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) t: u32) {
  let i = wg.x;
  let h = wg.y;
  let b = wg.z;
  let rd = rowdot[stat_row(b, h, i)];
  for (var d0 = 0u; d0 < D; d0 += WG) {
    let d = d0 + t;
    var acc = 0.0;
    for (var j0 = 0u; j0 < P; j0 += WG) {
      let j = j0 + t;
      tile[t] = 0.0;
      if (j < P) {
        tile[t] = prefix_p(b, h, i, j) * (prefix_dp(b, h, i, j) - rd);
      }
      workgroupBarrier();
      if (d < D) {
        for (var jj = 0u; jj < min(WG, P - j0); jj++) {
          acc += tile[jj] * pk[(j0 + jj) * C + h * D + d];
        }
      }
      workgroupBarrier();
    }
    if (d < D) {
      dq[(b * T + i) * C + h * D + d] = acc / sqrt(f32(D));
    }
  }
}

@compute @workgroup_size(WG)
fn dq_tokens(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) t: u32) {
  let i = wg.x;
  let h = wg.y;
  let b = wg.z;
  let rd = rowdot[stat_row(b, h, i)];
  for (var d0 = 0u; d0 < D; d0 += WG) {
    let d = d0 + t;
    var acc = 0.0;
    for (var j0 = P; j0 < S; j0 += WG) {
      let j = j0 + t;
      tile[t] = 0.0;
      if (j < S) {
        tile[t] = token_p(b, h, i, j) * (token_dp(b, h, i, j) - rd);
      }
      workgroupBarrier();
      if (d < D) {
        for (var jj = 0u; jj < min(WG, S - j0); jj++) {
          acc += tile[jj] * k[(b * T + j0 + jj - P) * C + h * D + d];
        }
      }
      workgroupBarrier();
    }
    if (d < D) {
      let o = (b * T + i) * C + h * D + d;
      let g = acc / sqrt(f32(D));
      dq[o] = select(g, dq[o] + g, P > 0u); // after dq_prefix's part
    }
  }
}

// dpk_j += Σ_b Σ_i dS_ij q_i / √D, one workgroup per prefix key (j, h): WG queries at a time through `tile`.
@compute @workgroup_size(WG)
fn dk_prefix(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) t: u32) {
  let j = wg.x;
  let h = wg.y;
  for (var d0 = 0u; d0 < D; d0 += WG) {
    let d = d0 + t;
    var acc = 0.0;
    for (var b = 0u; b < B; b++) {
      for (var i0 = 0u; i0 < T; i0 += WG) {
        let i = i0 + t;
        tile[t] = 0.0;
        if (i < T) {
          tile[t] = prefix_p(b, h, i, j) * (prefix_dp(b, h, i, j) - rowdot[stat_row(b, h, i)]);
        }
        workgroupBarrier();
        if (d < D) {
          for (var ii = 0u; ii < min(WG, T - i0); ii++) {
            acc += tile[ii] * q[(b * T + i0 + ii) * C + h * D + d];
          }
        }
        workgroupBarrier();
      }
    }
    if (d < D) {
      dpk[j * C + h * D + d] += acc / sqrt(f32(D));
    }
  }
}

// dk_j = Σ_i dS_ij q_i / √D, one workgroup per token key (P + wg.x, h, b).
@compute @workgroup_size(WG)
fn dk_tokens(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) t: u32) {
  let j = P + wg.x;
  let h = wg.y;
  let b = wg.z;
  for (var d0 = 0u; d0 < D; d0 += WG) {
    let d = d0 + t;
    var acc = 0.0;
    for (var i0 = 0u; i0 < T; i0 += WG) {
      let i = i0 + t;
      tile[t] = 0.0;
      if (i < T) {
        tile[t] = token_p(b, h, i, j) * (token_dp(b, h, i, j) - rowdot[stat_row(b, h, i)]);
      }
      workgroupBarrier();
      if (d < D) {
        for (var ii = 0u; ii < min(WG, T - i0); ii++) {
          acc += tile[ii] * q[(b * T + i0 + ii) * C + h * D + d];
        }
      }
      workgroupBarrier();
    }
    if (d < D) {
      dk[(b * T + wg.x) * C + h * D + d] = acc / sqrt(f32(D));
    }
  }
}

// dpv_j += Σ_b Σ_i dropout(P_ij) dO_i, one workgroup per prefix key (j, h).
@compute @workgroup_size(WG)
fn dv_prefix(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) t: u32) {
  let j = wg.x;
  let h = wg.y;
  for (var d0 = 0u; d0 < D; d0 += WG) {
    let d = d0 + t;
    var acc = 0.0;
    for (var b = 0u; b < B; b++) {
      for (var i0 = 0u; i0 < T; i0 += WG) {
        let i = i0 + t;
        tile[t] = 0.0;
        if (i < T) {
          tile[t] = prefix_p(b, h, i, j) * dropout_factor(prob_index(b, h, i, j));
        }
        workgroupBarrier();
        if (d < D) {
          for (var ii = 0u; ii < min(WG, T - i0); ii++) {
            acc += tile[ii] * dout[(b * T + i0 + ii) * C + h * D + d];
          }
        }
        workgroupBarrier();
      }
    }
    if (d < D) {
      dpv[j * C + h * D + d] += acc;
    }
  }
}

// dv_j = Σ_i dropout(P_ij) dO_i, one workgroup per token key (P + wg.x, h, b).
@compute @workgroup_size(WG)
fn dv_tokens(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) t: u32) {
  let j = P + wg.x;
  let h = wg.y;
  let b = wg.z;
  for (var d0 = 0u; d0 < D; d0 += WG) {
    let d = d0 + t;
    var acc = 0.0;
    for (var i0 = 0u; i0 < T; i0 += WG) {
      let i = i0 + t;
      tile[t] = 0.0;
      if (i < T) {
        tile[t] = token_p(b, h, i, j) * dropout_factor(prob_index(b, h, i, j));
      }
      workgroupBarrier();
      if (d < D) {
        for (var ii = 0u; ii < min(WG, T - i0); ii++) {
          acc += tile[ii] * dout[(b * T + i0 + ii) * C + h * D + d];
        }
      }
      workgroupBarrier();
    }
    if (d < D) {
      dv[(b * T + wg.x) * C + h * D + d] = acc;
    }
  }
}
