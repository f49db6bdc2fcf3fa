// attention_backward: gradients of attention.wgsl, per head h, from the saved pre-dropout probs P:
//   dP = dO·vᵀ ⊙ dropout factor,  dS = P ⊙ (dP − rowdot) with rowdot_i = Σ_j P_ij dP_ij,
//   dq = dS·k/√D,  dk = dSᵀ·q/√D,  dv = dropout(P)ᵀ·dO.
// The padding mask needs no work here: masked keys have P = 0. The dropout mask is regenerated from the RNG.
// Three passes, so that no pass binds more than the 8 storage buffers WebGPU guarantees:
//   attention_backward     one workgroup per query row (i, h, b): rowdot and dq; rowdot is parked in dv's
//                          buffer (B*H*T <= B*T*C floats), which attention_backward_dv overwrites last;
//   attention_backward_dk  one workgroup per key (j, h, b): dk, or dpk += summed over the batch;
//   attention_backward_dv  the same for dv and dpv.
// Each pass declares its own bindings; variables shared by two passes keep one binding number.
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

struct Params {
  seed: u32, // dropout seed, the forward's
}

// attention_backward (dq)
@group(0) @binding(0) var<storage, read_write> dq: array<f32>;         // (B*T, C)
@group(0) @binding(1) var<storage, read_write> rowdot_out: array<f32>; // (B, H, T) in dv's buffer
@group(0) @binding(6) var<storage, read> k: array<f32>;                // (B*T, C)
@group(0) @binding(7) var<storage, read> pk: array<f32>;               // (P, C) (unread if P = 0)
// attention_backward_dk
@group(0) @binding(0) var<storage, read_write> dk: array<f32>;         // (B*T, C)
@group(0) @binding(1) var<storage, read_write> dpk: array<f32>;        // (P, C) accumulated (unused if P = 0)
@group(0) @binding(6) var<storage, read> q: array<f32>;                // (B*T, C)
@group(0) @binding(7) var<storage, read> rowdot: array<f32>;           // (B, H, T) in dv's buffer
// attention_backward and attention_backward_dk
@group(0) @binding(4) var<storage, read> v: array<f32>;                // (B*T, C)
@group(0) @binding(5) var<storage, read> pv: array<f32>;               // (P, C) (unread if P = 0)
@group(0) @binding(8) var<uniform> params: Params;
// attention_backward_dv
@group(0) @binding(0) var<storage, read_write> dv: array<f32>;         // (B*T, C)
@group(0) @binding(1) var<storage, read_write> dpv: array<f32>;        // (P, C) accumulated (unused if P = 0)
@group(0) @binding(4) var<uniform> params_dv: Params;
// all three passes
@group(0) @binding(2) var<storage, read> dout: array<f32>;             // (B*T, C)
@group(0) @binding(3) var<storage, read> probs: array<f32>;            // (B, H, T, S) before dropout

var<workgroup> red: array<f32, WG>;  // reduction scratch
var<workgroup> tile: array<f32, WG>; // WG per-key (or per-query) factors of one row (or column)

// What dropout multiplied probs[index] by in the forward: 0 if dropped, else 1 / (1 - p).
fn dropout_factor(seed: u32, index: u32) -> f32 {
  if (DROPOUT == 0.0) {
    return 1.0;
  }
  return select(0.0, 1.0 / (1.0 - DROPOUT), rng_uniform(seed, index) >= DROPOUT);
}

// dL/dP_ij for query i and key j of head h: dO_i·v_j, through the dropout factor of probs[index].
fn dprob(b: u32, h: u32, i: u32, j: u32, index: u32) -> f32 {
  let o = (b * T + i) * C + h * D;
  var s = 0.0;
  for (var d = 0u; d < D; d++) {
    s += dout[o + d] * value_at(b, j, h * D + d);
  }
  return s * dropout_factor(params.seed, index);
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

// The batch elements key j gathers over, [x, y): its own one, or for a prefix key all of them, in the z = 0
// workgroup (one owner per prefix gradient element, so += needs no atomics); empty for the other z.
fn batch_range(j: u32, z: u32) -> vec2u {
  if (j >= P) {
    return vec2u(z, z + 1u);
  }
  return select(vec2u(0u, 0u), vec2u(0u, B), z == 0u);
}

@compute @workgroup_size(WG)
fn attention_backward(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) t: u32) {
  let i = wg.x;
  let h = wg.y;
  let b = wg.z;
  let row = ((b * H + h) * T + i) * S; // probs row of query i; probs[row + j] is the dropout RNG index
  var partial = 0.0;
  for (var j = t; j < S; j += WG) {
    partial += probs[row + j] * dprob(b, h, i, j, row + j);
  }
  let rd = reduce_sum(t, partial);
  if (t == 0u) {
    rowdot_out[(b * H + h) * T + i] = rd;
  }

  // dq_i = Σ_j dS_ij k_j / √D: WG keys at a time go through `tile`, invocation t owning column d0 + t.
  for (var d0 = 0u; d0 < D; d0 += WG) {
    let d = d0 + t;
    var acc = 0.0;
    for (var j0 = 0u; j0 < S; j0 += WG) {
      let j = j0 + t;
      tile[t] = 0.0;
      if (j < S) {
        tile[t] = probs[row + j] * (dprob(b, h, i, j, row + j) - rd);
      }
      workgroupBarrier();
      if (d < D) {
        for (var jj = 0u; jj < min(WG, S - j0); jj++) {
          acc += tile[jj] * key_at(b, j0 + jj, h * D + d);
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
fn attention_backward_dk(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) t: u32) {
  let j = wg.x;
  let h = wg.y;
  let range = batch_range(j, wg.z);
  if (range.x >= range.y) {
    return;
  }
  // dk_j = Σ_b Σ_i dS_ij q_i / √D: WG queries at a time go through `tile`.
  for (var d0 = 0u; d0 < D; d0 += WG) {
    let d = d0 + t;
    var acc = 0.0;
    for (var b = range.x; b < range.y; b++) {
      for (var i0 = 0u; i0 < T; i0 += WG) {
        let i = i0 + t;
        tile[t] = 0.0;
        if (i < T) {
          let index = ((b * H + h) * T + i) * S + j;
          tile[t] = probs[index] * (dprob(b, h, i, j, index) - rowdot[(b * H + h) * T + i]);
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
      let g = acc / sqrt(f32(D));
      if (j < P) {
        dpk[j * C + h * D + d] += g;
      } else {
        dk[(range.x * T + j - P) * C + h * D + d] = g;
      }
    }
  }
}

@compute @workgroup_size(WG)
fn attention_backward_dv(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) t: u32) {
  let j = wg.x;
  let h = wg.y;
  let range = batch_range(j, wg.z);
  if (range.x >= range.y) {
    return;
  }
  // dv_j = Σ_b Σ_i dropout(P_ij) dO_i: WG queries at a time go through `tile`.
  for (var d0 = 0u; d0 < D; d0 += WG) {
    let d = d0 + t;
    var acc = 0.0;
    for (var b = range.x; b < range.y; b++) {
      for (var i0 = 0u; i0 < T; i0 += WG) {
        let i = i0 + t;
        tile[t] = 0.0;
        if (i < T) {
          let index = ((b * H + h) * T + i) * S + j;
          tile[t] = probs[index] * dropout_factor(params_dv.seed, index);
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
      if (j < P) {
        dpv[j * C + h * D + d] += acc;
      } else {
        dv[(range.x * T + j - P) * C + h * D + d] = acc;
      }
    }
  }
}
