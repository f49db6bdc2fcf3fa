// embedding_backward: dtable[unique[u], :] += sum over k in offsets[u]..offsets[u+1] of dout[positions[k], :]
// for one embedding table, from the CSR plan built on the CPU (src/reference/embedding.ts,
// embeddingBackwardPlan). Each (unique index, channel) pair is owned by one invocation, so no two
// invocations write the same element (no float atomics) and the sum runs in a fixed order: deterministic.
// The number of unique indices changes every batch, so it is read from a uniform and the launch covers the
// most there can be (MAXU): the dispatch record is built once and reused for every batch.

override C: u32;        // channels
override MAXU: u32;     // most unique indices a batch can have: min(table rows, N)
override WG: u32 = 256; // workgroup size

struct Plan {
  count: u32, // unique indices in this batch, <= MAXU
}

@group(0) @binding(0) var<storage, read_write> dtable: array<f32>; // (rows, C), accumulated into
@group(0) @binding(1) var<storage, read> dout: array<f32>;         // (N, C)
@group(0) @binding(2) var<storage, read> unique: array<u32>;       // (MAXU) first `count` used
@group(0) @binding(3) var<storage, read> offsets: array<u32>;      // (MAXU + 1) first `count + 1` used
@group(0) @binding(4) var<storage, read> positions: array<u32>;    // (N) token positions grouped by index
@group(0) @binding(5) var<uniform> plan: Plan;

@compute @workgroup_size(WG)
fn embedding_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WG; // 2-D grid for more than 65535 workgroups
  let u = i / C;
  if (i >= MAXU * C || u >= plan.count) {
    return;
  }
  let c = i % C;
  let at = unique[u] * C + c;
  // Start from the stored gradient and add tokens in increasing position, as the reference does.
  var acc = dtable[at];
  for (var k = offsets[u]; k < offsets[u + 1u]; k++) {
    acc += dout[positions[k] * C + c];
  }
  dtable[at] = acc;
}
