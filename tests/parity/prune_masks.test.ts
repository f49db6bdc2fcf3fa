/**
 * Pruning masks (src/engine/prune/select.ts) against torch.nn.utils.prune on the same weights: l1_unstructured
 * per tensor and global_unstructured over every tensor, three rounds of 10% of what is left (the paper's
 * lottery-ticket schedule), amounts whose count lands on .5 (Python rounds half to even), and random_unstructured
 * fed the same uniform draws (torch.rand_like replaced by a list, so torch's own selection code runs).
 */
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pruneRound, roundHalfEven, sparsity, type PrunableTensor, type PruneRound } from '../../src/engine/prune/select';
import { python } from '../helpers/pyref';
import { Rng } from '../helpers/random';

/** Linear weights (out × in), as the lab and torch both lay them out row-major. */
const SHAPES: readonly [number, number][] = [[7, 5], [3, 11], [13, 1], [2, 2]];

const TORCH = `
import json, sys, torch
import torch.nn.utils.prune as prune
spec = json.load(open(sys.argv[1]))
draws = iter(spec["draws"])
real_rand_like = torch.rand_like
def rand_like(t, **kw):  # the same uniform draws as the lab's: torch's own selection code runs on them
    return torch.tensor([next(draws) for _ in range(t.numel())], dtype=torch.float32).view_as(t)
torch.rand_like = rand_like
mods = []
for (o, i), w in zip(spec["shapes"], spec["weights"]):
    m = torch.nn.Linear(i, o, bias=False)
    with torch.no_grad():
        m.weight.copy_(torch.tensor(w, dtype=torch.float32).view(o, i))
    mods.append(m)
for r in spec["rounds"]:
    if r["scope"] == "global":
        method = prune.L1Unstructured if r["selection"] == "l1" else prune.RandomUnstructured
        prune.global_unstructured([(m, "weight") for m in mods], pruning_method=method, amount=r["amount"])
    else:
        for m in mods:
            (prune.l1_unstructured if r["selection"] == "l1" else prune.random_unstructured)(m, "weight", amount=r["amount"])
print(json.dumps([m.weight_mask.view(-1).int().tolist() for m in mods]))
`;

function tensors(seed: number): PrunableTensor[] {
  const rng = new Rng(seed);
  return SHAPES.map(([o, i]) => ({ values: Float32Array.from({ length: o * i }, () => rng.normal()), mask: new Uint8Array(o * i).fill(1) }));
}

/** torch's masks for these rounds on these weights (draws: the random selection's uniforms, in order). */
function torchMasks(ts: readonly PrunableTensor[], rounds: readonly PruneRound[], draws: readonly number[]): number[][] {
  const dir = mkdtempSync(join(tmpdir(), 'lab-prune-'));
  const spec = join(dir, 'spec.json');
  writeFileSync(spec, JSON.stringify({ shapes: SHAPES, weights: ts.map((t) => [...t.values]), rounds, draws }));
  return JSON.parse(python('-c', [TORCH, spec]).trim()) as number[][];
}

function labMasks(ts: readonly PrunableTensor[], rounds: readonly PruneRound[], draws: readonly number[]): number[][] {
  let next = 0;
  const uniform = (): number => draws[next++]!;
  for (const r of rounds) pruneRound(ts, r, uniform);
  expect(next).toBe(rounds.some((r) => r.selection === 'random') ? draws.length : 0);
  return ts.map((t) => [...t.mask]);
}

const LOTTERY = (selection: PruneRound['selection'], scope: PruneRound['scope']): PruneRound[] => [0.1, 0.1, 0.1].map((amount) => ({ selection, scope, amount }));

describe('pruning masks equal torch.nn.utils.prune', () => {
  it('rounds halves to even, as Python does', () => {
    expect([0.5, 1.5, 2.5, 3.5, 2.4999, 2.5001].map(roundHalfEven)).toEqual([0, 2, 2, 4, 2, 3]);
  });

  it.each([
    ['l1, per tensor, 3 rounds of 10% of what is left', LOTTERY('l1', 'per-tensor')],
    ['l1, global, 3 rounds of 10% of what is left', LOTTERY('l1', 'global')],
    ['l1, amounts whose counts land on .5 (35 × 0.3, 4 × 0.375 ...)', [{ selection: 'l1', scope: 'per-tensor', amount: 0.3 }, { selection: 'l1', scope: 'per-tensor', amount: 0.375 }] as PruneRound[]],
    ['l1, global 50% then per tensor 20%', [{ selection: 'l1', scope: 'global', amount: 0.5 }, { selection: 'l1', scope: 'per-tensor', amount: 0.2 }] as PruneRound[]],
  ])('%s', (_name, rounds) => {
    const ts = tensors(7);
    const want = torchMasks(ts, rounds, []);
    expect(labMasks(ts, rounds, [])).toEqual(want);
  });

  it.each([
    ['per tensor', 'per-tensor'],
    ['global', 'global'],
  ] as const)('random, %s, 2 rounds: the same selection from the same draws', (_name, scope) => {
    const rounds: PruneRound[] = [{ selection: 'random', scope, amount: 0.25 }, { selection: 'random', scope, amount: 0.4 }];
    // How many draws each round takes: one per unpruned weight (counted on a dry run with fresh masks).
    const dry = tensors(11);
    let count = 0;
    for (const r of rounds) pruneRound(dry, r, () => (count++, 0.5));
    const rng = new Rng(99);
    const draws = Array.from({ length: count }, () => Math.fround(rng.next()));
    const ts = tensors(11);
    const want = torchMasks(ts, rounds, draws);
    expect(labMasks(ts, rounds, draws)).toEqual(want);
  });

  it('never brings a pruned weight back, and reports the sparsity', () => {
    const ts = tensors(3);
    const total = ts.reduce((n, t) => n + t.mask.length, 0);
    let removed = 0;
    for (const r of LOTTERY('l1', 'global')) {
      const before = ts.map((t) => Uint8Array.from(t.mask));
      removed += pruneRound(ts, r);
      ts.forEach((t, i) => t.mask.forEach((m, j) => expect(m <= before[i]![j]!).toBe(true)));
    }
    expect(sparsity(ts)).toBeCloseTo(removed / total, 12);
    expect(() => pruneRound(ts, { selection: 'l1', scope: 'global', amount: 1.5 })).toThrow(/\[0, 1\]/);
  });
});
