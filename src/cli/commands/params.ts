/** `params`: exact and thesis-convention trainable counts of a PEFT configuration on a model. */
import { percentOf, planPeft } from '../../engine/peft/plan';
import { moduleFor } from '../../engine/peft/registry';
import { FlagReader, parseFlags } from '../args';
import { readModelConfig } from '../model_dir';
import { readPeftConfig } from '../peft_file';

export const PARAMS_HELP = `npm run lab -- params --model DIR|NAME [--peft-config FILE]
  Prints the trainable parameters of a PEFT configuration as JSON: exact (biases included) and the thesis'
  convention (Table 4.2: LoRA 4rd, Adapter-H 4rd, Adapter-ATTN/FFN 2rd, prefix 2ld per layer), each as a
  percentage of the base model. NAME is a preset such as microsoft/codebert-base.`;

export function params(argv: readonly string[]): void {
  const f = new FlagReader(parseFlags(argv, { model: { type: 'string' }, 'peft-config': { type: 'string' } }, 'params'), 'params');
  const { config, name } = readModelConfig(f.required('model'));
  const peft = readPeftConfig(f.string('peft-config'), config);
  const plan = planPeft(config, peft);
  const out = {
    model: name,
    methods: peft.methods.map((m) => moduleFor(m).label),
    base_parameters: plan.baseTotal,
    trainable_exact: plan.exactTrainable,
    trainable_exact_percent: round(percentOf(plan.exactTrainable, plan.baseTotal)),
    trainable_paper: plan.paperTrainable,
    trainable_paper_percent: round(percentOf(plan.paperTrainable, plan.baseTotal)),
    lowest_trainable_layer: plan.lowestTrainableLayer,
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
