/**
 * "Run it at scale": `lab export-run` writes a PyTorch project (transformers + peft + accelerate) that trains the
 * same run. For a LoRA run and a Houlsby adapter run: the exported train.py on one process reproduces the lab
 * CLI's first 3 losses within 1e-4 (dropout 0, no shuffle, the lab's starting values); on two CPU processes
 * (torchrun, gloo) with gathered in-batch negatives it reproduces them too, and its metrics.jsonl imports into
 * the lab. The Python data order equals the lab's seeded epoch permutation.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { shuffleIndices } from '../../src/engine/data/split';
import { parseMetrics } from '../../src/engine/train/metrics_file';
import { labOk } from '../helpers/lab_cli';
import { python, pyrefTool, tinyModels } from '../helpers/pyref';

let dir = '';
let model = '';

beforeAll(() => {
  dir = tinyModels('lab-export-run-', { 'train.jsonl': ['train.jsonl', 64], 'valid.jsonl': ['valid.jsonl', 24] });
  model = join(dir, 'st');
});

function losses(metricsFile: string): number[] {
  return parseMetrics(readFileSync(metricsFile, 'utf8')).events.flatMap((e) => (e.type === 'step' ? [e.loss] : []));
}

const RECIPE = ['--steps', '3', '--batch-size', '8', '--lr', '0.01', '--dropout', '0', '--no-shuffle', '--code-length', '32', '--nl-length', '16', '--eval-every', '2'];

describe('export-run: the same run on transformers + peft + accelerate', () => {
  it.each([
    ['lora', [{ type: 'lora', r: 4, alpha: 8, targets: ['query', 'value'] }]],
    ['houlsby', [{ type: 'adapter', placement: 'houlsby', size: 8, activation: 'relu' }]],
  ])('%s: one process matches the lab CLI within 1e-4; two processes (torchrun) match too and import', async (name, methods) => {
    writeFileSync(join(dir, `${name}.json`), JSON.stringify({ methods }));
    const run = join(dir, `${name}-lab`);
    await labOk('train', '--model', model, '--train', join(dir, 'train.jsonl'), '--valid', join(dir, 'valid.jsonl'), '--out', run, '--peft-config', join(dir, `${name}.json`), ...RECIPE, '--software-gpu');
    const project = join(dir, `${name}-project`);
    await labOk('export-run', '--run', run, '--model', model, '--train', join(dir, 'train.jsonl'), '--valid', join(dir, 'valid.jsonl'), '--out', project);
    for (const f of ['train.py', 'lab_methods.py', 'lab_data.py', 'run_config.json', 'lab_init.safetensors', 'data.json', 'README.md', 'requirements.txt']) expect(existsSync(join(project, f)), f).toBe(true);
    expect(JSON.parse(readFileSync(join(project, 'run_config.json'), 'utf8'))).toEqual(JSON.parse(readFileSync(join(run, 'run_config.json'), 'utf8')));

    const want = losses(join(run, 'metrics.jsonl'));
    python('train.py', ['--out', 'one'], project);
    const one = losses(join(project, 'one', 'metrics.jsonl'));
    expect(one).toHaveLength(3);
    one.forEach((l, i) => expect(Math.abs(l - want[i]!), `step ${i + 1}: torch ${l} vs lab ${want[i]}`).toBeLessThan(1e-4));

    pyrefTool('torchrun', ['--standalone', '--nproc_per_node', '2', 'train.py', '--out', 'two'], project, { OMP_NUM_THREADS: '1' });
    const two = parseMetrics(readFileSync(join(project, 'two', 'metrics.jsonl'), 'utf8'));
    expect(two.done).toBe(true);
    expect((two.events[0] as { processes?: number }).processes).toBeUndefined(); // extra keys are dropped on import
    losses(join(project, 'two', 'metrics.jsonl')).forEach((l, i) => expect(Math.abs(l - want[i]!), `2 processes, step ${i + 1}`).toBeLessThan(1e-4));
    const imported = JSON.parse((await labOk('import-run', '--run', join(project, 'two'))).stdout) as { steps: number; done: boolean; best: { mrr: number } | null; methods: string[] };
    expect(imported).toMatchObject({ steps: 3, done: true, methods: methods.map((m) => m.type) });
    expect(imported.best!.mrr).toBeGreaterThan(0);
    expect(readFileSync(join(project, 'two', 'metrics.jsonl'), 'utf8')).toContain('"processes": 2');
  });

  it('a sweep: one folder per run and a shared train.py that runs each', async () => {
    const a = join(dir, 'lora-lab');
    const project = join(dir, 'sweep');
    await labOk('export-run', '--run', a, '--run', join(dir, 'houlsby-lab'), '--model', model, '--train', join(dir, 'train.jsonl'), '--out', project);
    for (const f of ['sweep.sh', 'runs/lora-lab/run_config.json', 'runs/houlsby-lab/lab_init.safetensors', 'runs/houlsby-lab/data.json']) expect(existsSync(join(project, f)), f).toBe(true);
    python('train.py', ['--config', 'runs/houlsby-lab/run_config.json', '--max-steps', '1'], project);
    expect(losses(join(project, 'runs', 'houlsby-lab', 'out', 'metrics.jsonl'))[0]).toBeCloseTo(losses(join(dir, 'houlsby-lab', 'metrics.jsonl'))[0]!, 4);
  });

  it('trains with dropout on: the same run with dropout 0.1 has another first loss than without', async () => {
    const run = JSON.parse(readFileSync(join(dir, 'lora-lab', 'run_config.json'), 'utf8')) as { recipe: Record<string, unknown> };
    writeFileSync(join(dir, 'dropout.json'), JSON.stringify({ ...run, recipe: { ...run.recipe, hiddenDropout: 0.1, attentionDropout: 0.1 } }));
    const project = join(dir, 'dropout-project');
    await labOk('export-run', '--run', join(dir, 'dropout.json'), '--model', model, '--train', join(dir, 'train.jsonl'), '--out', project);
    python('train.py', ['--max-steps', '1'], project);
    const withDropout = losses(join(project, 'out', 'metrics.jsonl'))[0]!;
    const without = losses(join(dir, 'lora-lab', 'metrics.jsonl'))[0]!;
    expect(Math.abs(withDropout - without), `${withDropout} vs ${without}: is the model in train mode?`).toBeGreaterThan(1e-3);
  });

  it("the exported data order is the lab's seeded epoch permutation", () => {
    const cases: [number, number, number][] = [[10, 123456, 0], [7, 2 ** 33 + 5, 3], [100, 1, 1]];
    const got = JSON.parse(python('-c', [`import sys, json; sys.path.insert(0, 'src/engine/export_run/python'); import lab_data; print(json.dumps([lab_data.shuffle_indices(*c) for c in ${JSON.stringify(cases)}]))`])) as number[][];
    cases.forEach(([n, seed, epoch], i) => expect(got[i]).toEqual([...shuffleIndices(n, seed, epoch)]));
  });
});
