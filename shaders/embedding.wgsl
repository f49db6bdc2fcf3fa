// embedding: out[t, :] = wte[ids[t], :] + wpe[pos[t], :] + wtt[tt[t], :] (RoBERTa's input embeddings,
// before the embedding layernorm). One invocation per output element, so any C works and reads of a table
// row are coalesced across neighbouring invocations.

override BT: u32;       // number of tokens (B*T)
override C: u32;        // channels
override WG: u32 = 256; // workgroup size

@group(0) @binding(0) var<storage, read_write> out: array<f32>; // (BT, C)
@group(0) @binding(1) var<storage, read> ids: array<u32>;       // (BT) token ids, < V
@group(0) @binding(2) var<storage, read> pos: array<u32>;       // (BT) position ids, < Pmax
@group(0) @binding(3) var<storage, read> tt: array<u32>;        // (BT) token-type ids, < TT
@group(0) @binding(4) var<storage, read> wte: array<f32>;       // (V, C)
@group(0) @binding(5) var<storage, read> wpe: array<f32>;       // (Pmax, C)
@group(0) @binding(6) var<storage, read> wtt: array<f32>;       // (TT, C)

@compute @workgroup_size(WG)
fn embedding(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WG; // 2-D grid for more than 65535 workgroups
  if (i >= BT * C) {
    return;
  }
  let t = i / C;
  let c = i % C;
  // Summed in the reference's order (token, then position, then type) so f32 results agree exactly.
  out[i] = wte[ids[t] * C + c] + wpe[pos[t] * C + c] + wtt[tt[t] * C + c];
}
