/** Writing a run's trained weights into its --out folder: a training run's, or a pruning schedule round's. */
import { join } from 'node:path';
import { exportTrained } from '../engine/io/export';
import type { planPeft } from '../engine/peft/plan';
import { CHECKPOINT_FILE } from '../engine/train/checkpoint';
import { RUN_CONFIG_FILE } from './adapter_dir';
import { copyTokenizer, type LoadedModel as ModelDir } from './model_dir';
import { writeFileAtomic } from './out_dir';

/** Where the weights go and what the export needs beside them (the starting weights are set once known). */
export interface WeightsTarget {
  readonly out: string;
  readonly model: ModelDir;
  readonly plan: ReturnType<typeof planPeft>;
  base: Map<string, Float32Array>;
  readonly classNames: readonly string[] | null;
}

export function writeWeights(target: WeightsTarget, trained: Map<string, Float32Array>, what: string, also: readonly string[] = ['metrics.jsonl', RUN_CONFIG_FILE, CHECKPOINT_FILE]): void {
  const { out, model, plan, base, classNames } = target;
  const files = exportTrained({ plan, trained, base, baseModel: model.name, ...(model.hfConfig ? { hfConfig: model.hfConfig } : {}), ...(classNames ? { classNames } : {}) });
  for (const [name, bytes] of files) writeFileAtomic(join(out, name), bytes);
  if (files.has('model.safetensors')) copyTokenizer(model.dir, out);
  process.stderr.write(`lab: wrote ${[...files.keys(), ...also].join(', ')} to ${out} (${what})\n`);
}
