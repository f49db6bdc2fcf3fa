/** The README of an exported PyTorch project: what it is and the launch lines for one GPU, several, several nodes. */
import type { DataRefs, ExportedRun } from './project';

export function projectReadme(runs: readonly ExportedRun[], data: DataRefs, sweep: readonly string[] | null): string {
  const first = runs[0]!.run;
  const methods = (r: ExportedRun): string => r.run.peft.methods.map((m) => m.type).join(' + ');
  const what = sweep
    ? `a sweep of ${runs.length} runs (runs/<name>/run_config.json):\n\n${runs.map((r, i) => `- \`${sweep[i]}\`: ${methods(r)}, lr ${r.run.recipe.lr}, seed ${r.run.recipe.seed}`).join('\n')}`
    : `one run: ${methods(runs[0]!)} on ${first.model}, lr ${first.recipe.lr}, batch ${first.recipe.batchSize}, seed ${first.recipe.seed}`;
  const cfg = sweep ? ' --config runs/<name>/run_config.json' : '';
  return `# A WebGPU fine-tuning lab run, on PyTorch

Exported by the lab's \`export-run\`. This folder holds ${what}

It trains exactly what the lab trains — the same model and methods (transformers \`RobertaModel\`, peft LoRA and
prefix-tuning, the lab's bottleneck adapters, BitFit, Telly and LWO in \`lab_methods.py\`), the same data order,
objective, AdamW groups, schedule, clipping and evaluation — and writes \`metrics.jsonl\` in the lab's schema and
the trained weights in the lab's formats, so the dashboard (**Import a cluster run**) and \`npm run lab --
import-run\` show it beside browser runs.

## Install

\`\`\`sh
python -m venv .venv && . .venv/bin/activate
pip install torch   # the CUDA build for your cluster, see pytorch.org
pip install -r requirements.txt
\`\`\`

## Data

\`data.json\` says where the data is: model \`${data.model}\`, training shard \`${data.train}\`${data.valid ? `, validation shard \`${data.valid}\`` : ''}
(paths relative to the folder of \`data.json\`). Copy the files there or edit the paths; flags (\`--model\`,
\`--train\`, \`--valid\`, \`--out\`) override it.

## Run

\`\`\`sh
# one GPU (or the CPU)
accelerate launch train.py${cfg}

# several GPUs on one machine: the batch size of the run is the global batch, split evenly
accelerate launch --multi_gpu --num_processes 8 train.py${cfg}

# several machines: run on each node, with its own --machine_rank
accelerate launch --multi_gpu --num_machines 2 --num_processes 16 --machine_rank 0 \\
  --main_process_ip 10.0.0.1 --main_process_port 29500 train.py${cfg}

# the same with torchrun (also how to run data parallel on CPU processes)
torchrun --standalone --nproc_per_node 2 train.py${cfg}
${sweep ? '\n# every run of the sweep\nLAUNCH="accelerate launch --multi_gpu --num_processes 8" bash sweep.sh\n' : ''}\`\`\`

## In-batch negatives with several processes

\`--negatives gather\` (default) all-gathers the code and query embeddings with their gradients, so every
query is scored against the whole global batch: the same loss and gradients as one device with the global
batch, i.e. the lab's objective. \`--negatives local\` scores each process's share alone (cheaper, fewer
negatives per query: a different objective for the same batch size). The choice is recorded in
\`metrics.jsonl\`'s start event.

## Outputs

\`out/metrics.jsonl\` (one JSON event per line: start, step, eval, done), \`out/run_config.json\`, and the weights
(the best-MRR ones with a validation shard): a peft adapter for LoRA or prefix-tuning, \`lab_peft.json\` +
\`lab_adapter.safetensors\` for the lab's other methods, a model folder for trained base weights. Dropout draws
differ from the lab's (torch's random stream), so runs with dropout match it in distribution, not bit for bit.
`;
}
