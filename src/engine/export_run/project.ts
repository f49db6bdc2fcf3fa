/**
 * "Run it at scale": a run (or a sweep of runs) as a self-contained PyTorch project on transformers + peft +
 * accelerate. The project is train.py with the lab's methods and data handling in two small modules (the same
 * files the parity tests check the lab against), the lab's run configuration unchanged, the lab's starting
 * values for the added tensors (so a run starts exactly where the lab's would), the data references, pinned
 * requirements and a README with the launch lines. The same builder serves the CLI and the dashboard.
 */
import { percentOf, planPeft } from '../peft/plan';
import { initializeAdded } from '../peft/init';
import type { EncoderConfig } from '../model/config';
import type { RunConfig } from '../train/run_config';
import { writeSafeTensors } from '../io/safetensors';
import labData from './python/lab_data.py?raw';
import labMethods from './python/lab_methods.py?raw';
import trainPy from './python/train.py?raw';
import { projectReadme } from './readme';

/** What the project reads its data from: paths as the cluster will see them (or a Hub id for the model). */
export interface DataRefs {
  readonly model: string;
  readonly train: string;
  readonly valid: string | null;
}

export interface ExportedRun {
  readonly name: string;
  readonly run: RunConfig;
}

/** Pinned like the lab's own reference environment (tools/pyref/requirements.txt), CUDA builds left to pip. */
export const REQUIREMENTS = `torch>=2.4
transformers==5.18.0
peft==0.21.0
accelerate==1.15.0
safetensors>=0.4
`;

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const json = (value: unknown): Uint8Array => encode(`${JSON.stringify(value, null, 2)}\n`);

/** The files of one run's project, or of a sweep (one folder per run under runs/, one shared train.py). */
export function exportProject(runs: readonly ExportedRun[], model: EncoderConfig, data: DataRefs): Map<string, Uint8Array> {
  if (runs.length === 0) throw new Error('nothing to export: no runs');
  const classifying = runs.find((r) => r.run.task.kind !== 'code-search');
  // train.py runs CodeXGLUE's code-search objective only: a classification run exported here would train another task.
  if (classifying) throw new Error(`${classifying.name} is a classification run: the PyTorch project trains code search only. Train classification runs in the lab (CLI or dashboard).`);
  const files = new Map<string, Uint8Array>([
    ['train.py', encode(trainPy)],
    ['lab_methods.py', encode(labMethods)],
    ['lab_data.py', encode(labData)],
    ['requirements.txt', encode(REQUIREMENTS)],
  ]);
  const single = runs.length === 1;
  const names = new Set<string>();
  for (const { name, run } of runs) {
    const folder = single ? '' : `runs/${safeName(name, names)}/`;
    const up = single ? '' : '../../';
    files.set(`${folder}run_config.json`, json(run));
    const plan = planPeft(model, run.peft);
    const init = initializeAdded(plan, run.recipe.seed);
    // The lab's own parameter counts (exact and the thesis' convention), for the start event of metrics.jsonl.
    files.set(`${folder}lab_plan.json`, json({ trainable: { exact: plan.exactTrainable, paper: plan.paperTrainable, base: plan.baseTotal, percentExact: percentOf(plan.exactTrainable, plan.baseTotal), percentPaper: percentOf(plan.paperTrainable, plan.baseTotal) } }));
    if (init.size > 0) files.set(`${folder}lab_init.safetensors`, writeSafeTensors(plan.added.map((spec) => ({ name: spec.name, shape: spec.shape, data: init.get(spec.name)! })), { format: 'webgpu-finetuning-lab/init' }));
    const ref = (p: string | null): string | null => (p === null || /^([a-z]+:|\/)/i.test(p) || !p ? p : up + p);
    files.set(`${folder}data.json`, json({ model: data.model, train: ref(data.train), valid: ref(data.valid), init: init.size > 0 ? 'lab_init.safetensors' : null, out: 'out' }));
  }
  if (!single) files.set('sweep.sh', encode(sweepScript([...names])));
  files.set('README.md', encode(projectReadme(runs, data, single ? null : [...names])));
  return files;
}

/** A folder name from a run name: letters, digits, -_. only, unique within the sweep. */
function safeName(name: string, taken: Set<string>): string {
  const base = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '') || 'run';
  let n = base;
  for (let i = 2; taken.has(n); i++) n = `${base}-${i}`;
  taken.add(n);
  return n;
}

function sweepScript(names: readonly string[]): string {
  return `#!/usr/bin/env bash
# Every run of the sweep in turn, each with the launcher given (default: accelerate launch); each writes
# runs/<run>/out/.
#   bash sweep.sh                                   # one GPU / whatever accelerate config says
#   LAUNCH="accelerate launch --num_processes 8" bash sweep.sh
set -euo pipefail
cd "$(dirname "$0")"
LAUNCH=\${LAUNCH:-accelerate launch}
for run in ${names.join(' ')}; do
  $LAUNCH train.py --config "runs/$run/run_config.json"
done
`;
}
