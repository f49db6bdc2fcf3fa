/**
 * `lab train` with a pruning schedule (issue 15's "from the CLI"): three lottery-ticket rounds of 10% on the demo
 * model, the table of sparsity against MRR on stdout, the rounds in metrics.jsonl on one step axis, and the last
 * round's model folder checked with the real libraries — transformers loads it with the zeros where its masks
 * say, and the lab embeds it as transformers does. A schedule run does not --resume; bad flags are named.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSafeTensors } from '../../src/engine/io/safetensors';
import { expectClose } from '../helpers/compare';
import { lab, labOk } from '../helpers/lab_cli';
import { python, reference } from '../helpers/pyref';

const DEMO = 'public/demo/model';

const CHECK = `
import json, sys
from safetensors.torch import load_file
from transformers import AutoModel
out = sys.argv[1]
model, info = AutoModel.from_pretrained(out, output_loading_info=True)
masks = load_file(out + "/pruning_masks.safetensors")
got = dict(model.named_parameters())
print(json.dumps({
    "problems": [f"{k}: {v}" for k, v in info.items() if v],
    "masked": len(masks),
    "zeros": all(bool((got[n][~m] == 0).all()) for n, m in masks.items()),
    "kept_nonzero": all(bool((got[n][m] != 0).all()) for n, m in masks.items()),
    "sparsity": sum(int((~m).sum()) for m in masks.values()) / sum(m.numel() for m in masks.values()),
}))
`;

describe('lab train with a pruning schedule', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-schedule-'));
  const out = join(dir, 'lottery');
  const valid = join(dir, 'valid.jsonl');
  writeFileSync(valid, readFileSync('public/demo/valid.jsonl', 'utf8').split('\n').slice(0, 24).join('\n'));
  const peft = join(dir, 'full.json');
  writeFileSync(peft, JSON.stringify({ methods: [{ type: 'full' }] }));
  const recipe = ['--steps', '2', '--batch-size', '4', '--code-length', '16', '--nl-length', '8', '--lr', '0.002', '--eval-batch-size', '8'];

  it('runs 3 rounds of 10% and prints sparsity against MRR', async () => {
    const run = await labOk('train', '--model', DEMO, '--peft-config', peft, '--train', 'public/demo/train.jsonl', '--valid', valid, ...recipe, '--eval-every', '1', '--prune-rounds', '3', '--prune-amount', '0.1', '--pick', 'best', '--out', out, '--software-gpu');
    const rows = run.stdout.trim().split('\n');
    expect(rows[0]).toMatch(/^round\s+sparsity\s+steps\s+picked\s+MRR$/);
    expect(rows.slice(1).map((r) => r.trim().split(/\s+/).slice(0, 3))).toEqual([['0', '0.00%', '2'], ['1', '10.00%', '2'], ['2', '19.00%', '2'], ['3', '27.10%', '2']]);
    expect(run.stderr).toMatch(/round 3 {2}sparsity 27\.10% \([\d,]+ more pruned\) {2}2 steps {2}MRR 0\.\d{4}/);
    const events = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; step?: number; round?: number; picked_step?: number });
    expect(events.filter((e) => e.type === 'step').map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const rounds = events.filter((e) => e.type === 'prune-round');
    expect(rounds.map((e) => e.round)).toEqual([0, 1, 2, 3]);
    // Picking best: each round's chosen step is one of its own two.
    rounds.forEach((e, i) => expect([2 * i + 1, 2 * i + 2]).toContain(e.picked_step));
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'))).toMatchObject({ architectures: expect.any(Array) });
    expect(JSON.parse(readFileSync(join(out, 'run_config.json'), 'utf8'))).toMatchObject({ pruning: { rounds: 3, amount: 0.1, pick: 'best', rewind: 'start', earlyStop: false } });
  });

  it("leaves a model transformers loads with the zeros in place, embedded by the lab as transformers does", async () => {
    const r = JSON.parse(python('-c', [CHECK, out]).trim().split('\n').pop()!) as Record<string, unknown>;
    expect(r).toEqual({ problems: [], masked: 12, zeros: true, kept_nonzero: true, sparsity: expect.closeTo(1 - 0.9 ** 3, 4) });
    const data = join(dir, 'pairs.jsonl');
    writeFileSync(data, readFileSync('public/demo/test.jsonl', 'utf8').split('\n').slice(0, 8).join('\n'));
    const lengths = ['--code-length', '32', '--nl-length', '16'];
    reference('embed', '--model', out, '--data', data, ...lengths, '--out', join(dir, 'ref.safetensors'));
    await labOk('embed', '--model', out, '--data', data, ...lengths, '--out', join(dir, 'lab.safetensors'), '--software-gpu');
    const read = (f: string) => readSafeTensors(new Uint8Array(readFileSync(join(dir, f)))).tensors;
    for (const side of ['code', 'query']) expectClose(read('lab.safetensors').get(side)!.data as Float32Array, read('ref.safetensors').get(side)!.data as Float32Array, { atol: 1e-5, rtol: 0 }, side);
  });

  it('names what is wrong: picking best without evaluations, a bad amount, resuming a schedule', async () => {
    const base = ['train', '--model', DEMO, '--peft-config', peft, '--train', 'public/demo/train.jsonl', '--valid', valid, ...recipe, '--software-gpu'];
    const best = await lab(...base, '--pick', 'best', '--out', join(dir, 'a'));
    expect(best.code).toBe(2);
    expect(best.stderr).toMatch(/picking the best weights needs evaluations during each round: give --eval-every/);
    const amount = await lab(...base, '--prune-amount', '1.5', '--out', join(dir, 'b'));
    expect(amount.stderr).toMatch(/--prune-amount: must be a number in \[0\.001, 0\.999\] \(got 1\.5\)/);
    const resume = await lab('train', '--model', DEMO, '--train', 'public/demo/train.jsonl', '--valid', valid, '--resume', out, '--software-gpu');
    expect(resume.stderr).toMatch(/pruning schedule's run, which does not continue from a checkpoint/);
  });
});
