// matmul: C[b] = ALPHA · op(A[b]) · op(B[b]) (+ bias broadcast over rows) (+ C[b] when ACCUMULATE),
// for every batch b (the grid's z dimension, so one pipeline serves every batch count). op(A) is (M, K):
// A stored (M, K), or (K, M) when TRANS_A. op(B) is (K, N): B stored (K, N), or (N, K) when TRANS_B.
// A linear layer needs three forms: y = x·Wᵀ + b (TRANS_B), dx = dy·W, and dW += dyᵀ·x (TRANS_A, ACCUMULATE).
//
// Each workgroup computes one TM×TN tile of C. Each of its 16×16 invocations owns an RM×RN register block
// strided by the workgroup size, so neighbouring invocations touch neighbouring columns. K is walked in
// TK-deep slices staged in workgroup memory. Loads outside op(A) / op(B) read 0 and stores outside C are
// skipped, so any M, N, K work.
//
// B's binding (2) and its element reader `b_at(i)` come from a lib file prepended by the launcher:
// lib/matmul_b_f32.wgsl (B in f32, the `matmul` shader) or lib/matmul_b_f16.wgsl (B as packed halves, the
// `matmul_b16` shader), so one kernel serves both storage types.

override M: u32;
override N: u32;
override K: u32;
override STRIDE_A: u32;         // elements between batches of A; 0 broadcasts one matrix to every batch
override STRIDE_B: u32;         // elements between batches of B; 0 broadcasts
override STRIDE_C: u32;         // elements between batches of C
override TRANS_A: bool = false;
override TRANS_B: bool = false;
override HAS_BIAS: bool = false;
override ACCUMULATE: bool = false;
override ALPHA: f32 = 1.0;
// The fused epilogue after bias (lib/activation.wgsl's kinds in ACT): 0 none; 1 activation forward,
// c = act(v) with the pre-activation v also written to `aux` (the backward needs it); 2 activation backward,
// c = v ⊙ act'(aux) with aux the saved pre-activation. Either saves a whole elementwise pass over C.
override EPILOGUE: u32 = 0u;
override ACT: u32 = 0u;

// The tile shape (TM, TN, TK, RM, RN) comes from a const header the launcher prepends
// (src/engine/kernels/matmul_tiles.ts): one shader per tile shape, chosen per matmul shape by the adapter's
// tuning table (`npm run bench -- --tune`). WG_X × WG_Y invocations are fixed; TK-deep slices of both tiles
// sit in workgroup memory (Dawn's zero-init of workgroup memory makes SwiftShader compile time grow with them).
const WG_X = 16u;   // invocations across columns (TN / RN)
const WG_Y = 16u;   // invocations across rows (TM / RM)
const THREADS = WG_X * WG_Y;
const_assert TM == WG_Y * RM && TN == WG_X * RN;
const_assert (TK * TM) % THREADS == 0u && (TK * TN) % THREADS == 0u; // stage() loads whole rounds

@group(0) @binding(0) var<storage, read_write> c: array<f32>; // (batch, M, N), batches STRIDE_C apart
@group(0) @binding(1) var<storage, read> a: array<f32>;       // (batch, M, K), or (batch, K, M) when TRANS_A
// binding 2: b, (batch, K, N) or (batch, N, K) when TRANS_B, from the prepended lib file
@group(0) @binding(3) var<storage, read> bias: array<f32>;    // (N), or a 1-element dummy without HAS_BIAS
@group(0) @binding(4) var<storage, read_write> aux: array<f32>; // like c: the pre-activation (EPILOGUE 1, 2), else a dummy

var<workgroup> tile_a: array<f32, TK * TM>; // op(A) slice, [k][m]
var<workgroup> tile_b: array<f32, TK * TN>; // op(B) slice, [k][n]

fn load_a(base: u32, m: u32, k: u32) -> f32 {
  if (m >= M || k >= K) {
    return 0.0;
  }
  if (TRANS_A) {
    return a[base + k * M + m];
  }
  return a[base + m * K + k];
}

fn load_b(base: u32, k: u32, n: u32) -> f32 {
  if (k >= K || n >= N) {
    return 0.0;
  }
  if (TRANS_B) {
    return b_at(base + n * K + k);
  }
  return b_at(base + k * N + n);
}

// Stages op(A)[row0.., k0..] and op(B)[k0.., col0..]. The element order follows each matrix's storage order,
// so consecutive invocations read consecutive addresses whatever the transposes.
fn stage(li: u32, row0: u32, col0: u32, k0: u32, base_a: u32, base_b: u32) {
  for (var l = 0u; l < TK * TM / THREADS; l++) {
    let e = li + l * THREADS;
    var m = e / TK;
    var k = e % TK;
    if (TRANS_A) {
      m = e % TM;
      k = e / TM;
    }
    tile_a[k * TM + m] = load_a(base_a, row0 + m, k0 + k);
  }
  for (var l = 0u; l < TK * TN / THREADS; l++) {
    let e = li + l * THREADS;
    var n = e % TN;
    var k = e / TN;
    if (TRANS_B) {
      n = e / TK;
      k = e % TK;
    }
    tile_b[k * TN + n] = load_b(base_b, k0 + k, col0 + n);
  }
}

@compute @workgroup_size(WG_X, WG_Y)
fn matmul(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
  @builtin(local_invocation_index) li: u32,
) {
  let row0 = wid.y * TM;
  let col0 = wid.x * TN;
  let base_a = wid.z * STRIDE_A;
  let base_b = wid.z * STRIDE_B;
  var acc: array<array<f32, RN>, RM>;
  for (var k0 = 0u; k0 < K; k0 += TK) {
    stage(li, row0, col0, k0, base_a, base_b);
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      var av: array<f32, RM>;
      var bv: array<f32, RN>;
      for (var i = 0u; i < RM; i++) {
        av[i] = tile_a[kk * TM + lid.y + i * WG_Y];
      }
      for (var j = 0u; j < RN; j++) {
        bv[j] = tile_b[kk * TN + lid.x + j * WG_X];
      }
      for (var i = 0u; i < RM; i++) {
        for (var j = 0u; j < RN; j++) {
          acc[i][j] += av[i] * bv[j];
        }
      }
    }
    workgroupBarrier();
  }
  let base_c = wid.z * STRIDE_C;
  for (var i = 0u; i < RM; i++) {
    let row = row0 + lid.y + i * WG_Y;
    for (var j = 0u; j < RN; j++) {
      let col = col0 + lid.x + j * WG_X;
      if (row < M && col < N) {
        var v = ALPHA * acc[i][j];
        if (HAS_BIAS) {
          v += bias[col];
        }
        let idx = base_c + row * N + col;
        if (ACCUMULATE) {
          v += c[idx];
        }
        if (EPILOGUE == 1u) {
          aux[idx] = v;
          v = act_forward(v, ACT);
        } else if (EPILOGUE == 2u) {
          v *= act_grad(aux[idx], ACT);
        }
        c[idx] = v;
      }
    }
  }
}
