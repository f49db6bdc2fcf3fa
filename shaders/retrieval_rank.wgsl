// retrieval_rank: the rank of each query's correct candidate, for MRR with CodeXGLUE semantics.
// scores (Q, N) holds queries i0..i0+Q−1 of the eval set against all N candidates; query i's correct
// candidate is candidate i. ranks[q] = 1 + #{ j ≠ i : scores[q, j] >= scores[q, i] }, i = i0 + q: ties count
// against the query. A query with no candidate (i >= N) gets rank 0. i0 comes from a uniform, so one record
// serves every full chunk of queries. One workgroup per query row counts, and the counts are summed by
// reduce_sum (lib/reduce.wgsl) in f32, which is exact below 2^24 candidates (the launcher refuses more).
// Twin: src/reference/retrieval_rank.ts.

override Q: u32;        // queries in this block
override N: u32;        // candidates
override WG: u32 = 256; // workgroup size, a power of two (the workgroup reduction's tree halves it)

struct Chunk {
  i0: u32, // the eval-set index of this block's first query
}

@group(0) @binding(0) var<storage, read_write> ranks: array<u32>; // (Q)
@group(0) @binding(1) var<storage, read> scores: array<f32>;      // (Q, N)
@group(0) @binding(2) var<uniform> chunk: Chunk;

@compute @workgroup_size(WG)
fn retrieval_rank(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let q = wid.x + wid.y * groups.x; // 2-D grid for more than 65535 queries
  if (q >= Q) {
    return; // uniform across the workgroup, so the reduction below stays in uniform control flow
  }
  let i = chunk.i0 + q;
  if (i >= N) {
    if (lid == 0u) {
      ranks[q] = 0u;
    }
    return; // uniform: i0 comes from a uniform buffer
  }
  let base = q * N;
  let s = scores[base + i];
  var ahead = 0u;
  for (var j = lid; j < N; j += WG) {
    ahead += select(0u, 1u, j != i && scores[base + j] >= s);
  }
  let total = reduce_sum(f32(ahead), lid);
  if (lid == 0u) {
    ranks[q] = 1u + u32(total);
  }
}
